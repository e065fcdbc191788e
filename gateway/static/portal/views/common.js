// Pieces every view shares: the appeal table, status and system labels, partial-answer notices.
import { html } from "../html.js";
import { appealHref } from "../router.js";
import { APPEAL_TYPES, formatTime, STATUSES, SYSTEMS, WARNINGS } from "../vocabulary.js";

/** Unified status with the legacy status beside it (统一状态 + 原系统状态). */
export const Status = ({ status, sourceStatus }) => html`
  <span class="status status-${status.toLowerCase()}">${STATUSES[status] ?? status}</span>
  ${sourceStatus ? html`<span class="source-status" title="原系统状态">（${sourceStatus}）</span>` : null}
`;

export const SystemBadge = ({ system }) => html`<span class="system system-${system.toLowerCase()}">${SYSTEMS[system] ?? system}</span>`;

/** The rows of every list in `data` (connections with `nodes` or `items`, or plain lists), as one list. */
export function rowsOf(data) {
  const rows = [];
  for (const value of Object.values(data ?? {})) {
    if (Array.isArray(value)) rows.push(...value);
    else if (value && Array.isArray(value.nodes)) rows.push(...value.nodes);
    else if (value && Array.isArray(value.items)) rows.push(...value.items);
  }
  return rows;
}

const OUTAGES = new Set(["LEGACY_UNAVAILABLE", "SUBGRAPH_UNAVAILABLE"]);

/** What a partial answer left out, in words: a system that could not answer (an alert), fields the user's role
 * may not see (a quiet note), anything else as the gateway said it. */
export function Problems({ errors }) {
  if (!errors?.length) return null;
  const alerts = new Set();
  let hidden = false;
  for (const error of errors) {
    const code = error.extensions?.code;
    const service = error.extensions?.service;
    if (OUTAGES.has(code)) alerts.add(`${SYSTEMS[service?.toUpperCase()] ?? service ?? "有系统"}暂时无法应答，内容可能不全。`);
    else if (code === "FORBIDDEN" && error.path?.length > 1) hidden = true;
    else alerts.add(error.message);
  }
  return html`
    ${alerts.size ? html`<div class="notice" role="alert">${[...alerts].map((line) => html`<p>${line}</p>`)}</div>` : null}
    ${hidden ? html`<p class="note" role="note">部分信息按您的角色不予显示。</p>` : null}`;
}

export const HIDDEN = "（按您的角色不可见）";

/** 三色预警: the colour in words (never by colour alone), its reasons as the tooltip. */
export const Warning = ({ warning }) => {
  if (!warning) return html`<span class="muted">—</span>`;
  const reasons = warning.reasons?.map((r) => r.message).join("；") || null;
  return html`<span class="warning warning-${warning.colour.toLowerCase()}" title=${reasons}>${WARNINGS[warning.colour] ?? warning.colour}</span>`;
};

export function AppealTable({ rows, caption, empty = "没有记录。", warnings = false }) {
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`
    <table class="appeals">
      <caption>${caption}</caption>
      <thead><tr><th scope="col">系统</th><th scope="col">编号</th><th scope="col">标题</th><th scope="col">类型</th>
        <th scope="col">状态</th>${warnings ? html`<th scope="col">预警</th>` : null}<th scope="col">受理时间</th>
        <th scope="col">截止时间</th><th scope="col">主办单位</th></tr></thead>
      <tbody>
        ${rows.map((row) => html`
          <tr key=${row.id} data-id=${row.id} data-admin-code=${row.location?.adminCode ?? null}
            data-warning=${row.warning?.colour ?? null}>
            <td><${SystemBadge} system=${row.system} /></td>
            <td>${row.localNumber}</td>
            <td><a href=${appealHref(row.id)}>${row.title ?? HIDDEN}</a></td>
            <td>${APPEAL_TYPES[row.appealType] ?? row.appealType}</td>
            <td><${Status} status=${row.status} sourceStatus=${row.sourceStatus} /></td>
            ${warnings ? html`<td><${Warning} warning=${row.warning} /></td>` : null}
            <td>${formatTime(row.receivedAt)}</td>
            <td>${formatTime(row.dueAt)}</td>
            <td>${row.leadUnit?.name ?? "—"}</td>
          </tr>`)}
      </tbody>
    </table>`;
}

/** By deadline, soonest first; those without one last, newest first. */
const time = (value) => (value ? Date.parse(value) : 0);

export function byDeadline(a, b) {
  if (a.dueAt && b.dueAt) return time(a.dueAt) - time(b.dueAt);
  if (a.dueAt || b.dueAt) return a.dueAt ? -1 : 1;
  return time(b.receivedAt) - time(a.receivedAt);
}

export const byReceivedDesc = (a, b) => time(b.receivedAt) - time(a.receivedAt);
