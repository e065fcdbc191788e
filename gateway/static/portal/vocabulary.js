// One vocabulary for every system (无感切换): the unified names, in Chinese, with the legacy value kept beside them
// where the views show a status.

export const SYSTEMS = {
  HOTLINE: "12345热线",
  PETITION: "信访",
  MSGBOARD: "领导留言板",
  GRID: "网格",
  NETINQUIRY: "网上问政",
  MAILBOX: "领导信箱",
  SUGGESTION: "人民建议",
};

export const STATUSES = {
  SUBMITTED: "已提交",
  ACCEPTED: "已受理",
  DISPATCHED: "已派单",
  PENDING_SIGN: "待签收",
  HANDLING: "办理中",
  EXTENDED: "已延期",
  RETURNED: "已退单",
  REPLIED: "已答复",
  AUDIT: "审核中",
  VISIT: "回访中",
  REHANDLE: "重办",
  CLOSED: "已办结",
  NOT_ACCEPTED: "不予受理",
  REDIRECTED: "已转出",
  REVIEW: "复查复核",
  INVALID: "无效",
};

export const APPEAL_TYPES = {
  CONSULT: "咨询",
  HELP: "求助",
  COMPLAINT: "投诉",
  REPORT: "举报",
  SUGGESTION: "建议",
  PRAISE: "表扬",
  PETITION_SUGGEST: "信访·建议",
  PETITION_ACCUSE: "信访·检举控告",
  PETITION_CLAIM: "信访·申诉求决",
};

export const ROLES = {
  citizen: "市民",
  operator: "坐席",
  dispatcher: "派单员",
  unit_handler: "承办单位",
  grid_worker: "网格员",
  street_dispatcher: "镇街调度",
  supervisor: "督办员",
  petition_officer: "信访工作人员",
  leader: "领导",
  analyst: "分析员",
  admin: "系统管理员",
};

export const CONFIDENTIALITY = { NORMAL: "普通", SECRET: "保密", ACCUSATION: "检举控告" };

export const WARNINGS = { NONE: "正常", YELLOW: "黄色提醒", ORANGE: "橙色督办", RED: "红色提级" };

/** Warning colours, most urgent first. */
export const WARNING_ORDER = ["RED", "ORANGE", "YELLOW", "NONE"];

export const CLOSURE_LEVELS = { STAGED: "阶段性办结", PROCEDURAL: "程序性办结", SUBSTANTIVE: "实质性办结" };

export const SATISFACTION = { SATISFIED: "满意", BASICALLY_SATISFIED: "基本满意", DISSATISFIED: "不满意" };

export const LINK_KINDS = { DUPLICATE: "重复件", OVERLAP: "重合件" };

/** A write's progress to its system of record (写入原系统). */
export const DISPATCH_STATES = { PENDING: "等待写入原系统", APPLIED: "已写入原系统", FAILED: "写入失败" };

/** The statuses in which work is still to do (未办结). */
export const OPEN_STATUSES = Object.keys(STATUSES).filter(
  (s) => !["CLOSED", "INVALID", "NOT_ACCEPTED", "REDIRECTED"].includes(s),
);

/** An administrative code without its padding at a level boundary: 430100 → 4301, 430121 stays (DOMAIN §4). */
export function significantCode(code) {
  for (const digits of [2, 4, 6, 9, 12, 15]) {
    if (digits <= code.length && !/[1-9]/.test(code.slice(digits))) return code.slice(0, digits);
  }
  return code;
}

/** The system of an id `"<system>:<local id>"`. */
export const systemOfId = (id) => id.split(":", 1)[0];

const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** A timestamp as Beijing time, `2026/12/06 13:57`; a dash when there is none. */
export const formatTime = (value) => (value ? TIME.format(new Date(value)) : "—");

/** 智能判重: how sure the graph is that two appeals are one matter. */
export const DECISIONS = { DUPLICATE: "重复件", SUGGEST: "疑似重复", DISTINCT: "不同事项" };

/** Why two appeals were found to be one matter, or never merged. */
export const MATCH_REASONS = {
  SAME_PERSON: "同一诉求人", SAME_GRID: "同一网格", SAME_ADDRESS: "同一地址", SIMILAR_TEXT: "内容相近",
  SAME_CATEGORY: "同一分类", CLOSE_IN_TIME: "时间相近", CONFIDENTIALITY_BOUNDARY: "密级不同，不予归并",
  ACCUSATION_NOT_MERGED: "检举对象不同，不予归并",
};

/** An appeal's place in its cluster (归并). */
export const CLUSTER_ROLES = { PRIMARY: "主件", DUPLICATE: "并入件", RELATED: "相关件" };
