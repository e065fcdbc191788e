// 诉求详情: one appeal in the unified vocabulary, its warning, the 10-node timeline across systems, the petitioner
// masked with 查看联系方式 and a reason (audited), and the actions the user's role may take on it.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { appealHref } from "../router.js";
import {
  APPEAL_TYPES, CLUSTER_ROLES, CONFIDENTIALITY, DECISIONS, formatTime, MATCH_REASONS, SYSTEMS, systemOfId,
} from "../vocabulary.js";
import { Actions } from "./actions.js";
import { HIDDEN, Problems, Status, SystemBadge, Warning } from "./common.js";

/** The systems whose appeals the workbench opens (by the prefix of the id). */
const KNOWN_SYSTEMS = ["hotline", "petition", "board", "grid", "suggestion"];

const Fact = ({ label, children }) => html`<div class="fact"><dt>${label}</dt><dd>${children}</dd></div>`;

export function AppealView({ id, user }) {
  const [answer, setAnswer] = useState(null);
  const [version, setVersion] = useState(0); // read again (in place) after a write was applied
  useEffect(() => setAnswer(null), [id]);
  useEffect(() => {
    if (!KNOWN_SYSTEMS.includes(systemOfId(id))) {
      setAnswer({ errors: [{ message: "无法识别的诉求编号。" }] });
      return;
    }
    run("AppealDetail", { id }).then(setAnswer, (error) =>
      setAnswer({ errors: [{ message: error.message }] }),
    );
  }, [id, version]);
  if (answer === null) return html`<p role="status">正在载入诉求…</p>`;
  const appeal = answer.data?.appeal;
  if (!appeal) {
    return html`<section><h1>诉求详情</h1><${Problems} errors=${answer.errors} />
      ${answer.errors?.length ? null : html`<p class="empty">没有找到这件诉求，或您无权查看。</p>`}</section>`;
  }
  const reply = appeal.reply?.text ?? null;
  const repliedAt = appeal.reply?.repliedAt ?? null;
  return html`
    <article aria-labelledby="appeal-title">
      <p><${SystemBadge} system=${appeal.system} /> <span class="local-no">${appeal.localNumber}</span>
        ${appeal.warning ? html` <${Warning} warning=${appeal.warning} />` : null}</p>
      <h1 id="appeal-title">${appeal.title ?? HIDDEN}</h1>
      <${Problems} errors=${answer.errors} />
      <dl class="facts">
        <${Fact} label="状态"><${Status} status=${appeal.status} sourceStatus=${appeal.sourceStatus} /><//>
        <${Fact} label="类型">${APPEAL_TYPES[appeal.appealType] ?? appeal.appealType}<//>
        <${Fact} label="受理时间">${formatTime(appeal.receivedAt)}<//>
        <${Fact} label="截止时间">${formatTime(appeal.dueAt)}<//>
        <${Fact} label="主办单位">${appeal.leadUnit?.name ?? "—"}<//>
        <${Fact} label="会办单位">${appeal.coUnits?.length ? appeal.coUnits.map((u) => u.name).join("、") : "—"}<//>
        ${appeal.unitStates?.length ? html`<${Fact} label="各单位状态">${appeal.unitStates
          .map((s) => `${s.unit.name}（${s.role === "LEAD" ? "主办" : "会办"}）${s.state}`).join("；")}<//>` : null}
        <${Fact} label="分类">${appeal.category?.path?.join(" / ") || "—"}<//>
        <${Fact} label="地点">${appeal.location?.text ?? "—"}<//>
        <${Fact} label="密级">${CONFIDENTIALITY[appeal.confidentiality] ?? appeal.confidentiality}<//>
        <${Fact} label="查询号">${appeal.trackingNumber ?? HIDDEN}<//>
      </dl>
      <section aria-labelledby="content-title">
        <h2 id="content-title">诉求内容</h2>
        <p class="content">${appeal.content ?? HIDDEN}</p>
      </section>
      ${reply ? html`<section aria-labelledby="reply-title"><h2 id="reply-title">答复</h2>
        <p class="content">${reply}</p><p class="muted">${formatTime(repliedAt)}</p></section>` : null}
      ${appeal.warning?.reasons?.length ? html`<section aria-labelledby="warning-title">
        <h2 id="warning-title">预警原因</h2>
        <ul class="reasons">${appeal.warning.reasons.map((r) => html`<li><${Warning} warning=${{ colour: r.colour }} /> ${r.message}</li>`)}</ul>
      </section>` : null}
      <${Links} links=${appeal.links} />
      <${Duplicates} matches=${appeal.duplicates} />
      <${Overlaps} appeals=${appeal.overlaps} />
      <${Cluster} cluster=${appeal.cluster} self=${appeal.id} />
      <${Timeline} nodes=${appeal.timeline} />
      <${Actions} user=${user} appeal=${appeal} onWritten=${() => setVersion((v) => v + 1)} />
      <${Contact} appeal=${appeal} />
    </article>`;
}

/** 关联记录: the appeals of other systems this one is linked to; each opens here, in the same screen and login. A
 * linked appeal the user may not see at all is said to exist, nothing more. */
function Links({ links }) {
  if (!links?.length) return null;
  return html`
    <section aria-labelledby="links-title">
      <h2 id="links-title">关联记录</h2>
      <ul class="links">
        ${links.map((link, i) => html`<li key=${i} data-kind=${link.kind}>
          <span class="link-kind">${link.kindText}</span>
          ${link.appeal ? html`<${SystemBadge} system=${link.appeal.system} />
            <a href=${appealHref(link.appeal.id)}>${SYSTEMS[link.appeal.system] ?? link.appeal.system} ${link.appeal.localNumber}</a>
            <${Status} status=${link.appeal.status} sourceStatus=${link.appeal.sourceStatus} />
            <span class="muted">${link.appeal.leadUnit?.name ?? ""}</span>`
          : html`<span class="muted">一件您无权查看的诉求</span>`}
          ${link.linkedAt ? html`<span class="muted">关联于 ${formatTime(link.linkedAt)}</span>` : null}
        </li>`)}
      </ul>
    </section>`;
}

/** Another appeal, opened here in one click: its system, number, unified and legacy status and unit. */
const Other = ({ appeal }) => html`<${SystemBadge} system=${appeal.system} />
  <a href=${appealHref(appeal.id)}>${SYSTEMS[appeal.system] ?? appeal.system} ${appeal.localNumber}</a>
  ${appeal.status ? html`<${Status} status=${appeal.status} sourceStatus=${appeal.sourceStatus} />` : null}
  <span class="muted">${appeal.leadUnit?.name ?? ""}</span>`;

/** 智能判重: the appeals (the user may see) found to be the same matter, or maybe, best first, with why. */
function Duplicates({ matches }) {
  if (!matches?.length) return null;
  return html`
    <section aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">重复件</h2>
      <ul class="links duplicates">
        ${matches.map((match) => html`<li key=${match.appeal.id} data-id=${match.appeal.id} data-decision=${match.decision}>
          <span class="link-kind">${DECISIONS[match.decision] ?? match.decision}</span>
          <${Other} appeal=${match.appeal} />
          <span class="muted">相似度 ${Math.round(match.score * 100)}%：${match.reasons.map((r) => MATCH_REASONS[r] ?? r).join("、")}</span>
        </li>`)}
      </ul>
    </section>`;
}

/** 重合件 detected: the same matter open at once as a 12345 ticket and a 信访件. */
function Overlaps({ appeals }) {
  if (!appeals?.length) return null;
  return html`
    <section aria-labelledby="overlaps-title">
      <h2 id="overlaps-title">重合件</h2>
      <ul class="links overlaps">
        ${appeals.map((other) => html`<li key=${other.id} data-id=${other.id}><${Other} appeal=${other} /></li>`)}
      </ul>
    </section>`;
}

/** 归并: the cluster of this matter — its primary, this appeal's role, the merged appeals, how many people. */
function Cluster({ cluster, self }) {
  if (!cluster) return null;
  return html`
    <section aria-labelledby="cluster-title" class="cluster" data-role=${cluster.role}>
      <h2 id="cluster-title">归并</h2>
      <p>本件为${CLUSTER_ROLES[cluster.role] ?? cluster.role}；主件
        ${cluster.primary.id === self ? "即本件" : html`<${SystemBadge} system=${cluster.primary.system} />
          <a href=${appealHref(cluster.primary.id)}>${SYSTEMS[cluster.primary.system] ?? cluster.primary.system} ${cluster.primary.localNumber}</a>`}；
        ${cluster.peopleCount} 人反映${cluster.isGroup ? "（多人一诉，群体件）" : ""}。</p>
      <ul class="links members">
        ${cluster.members.filter((m) => m.id !== self).map((member) => html`<li key=${member.id} data-id=${member.id}><${Other} appeal=${member} /></li>`)}
      </ul>
    </section>`;
}

/** 诉求跟踪: the 10 nodes from submission to closing, from the appeal's own system and those it went through. */
export function Timeline({ nodes, title = "办理进度" }) {
  if (!nodes?.length) return null;
  return html`
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">${title}</h2>
      <ol class="timeline">
        ${nodes.map((node) => html`<li key=${node.number} class=${node.reached ? "reached" : "ahead"} data-step=${node.number}>
          <span class="node-name">${node.number}. ${node.name}</span>
          <span class="node-state">${node.reached ? formatTime(node.at) : "未到达"}</span>
          ${node.unit ? html`<span class="node-unit">${node.unit}</span>` : null}
          ${node.detail ? html`<span class="node-detail">${node.detail}</span>` : null}
        </li>`)}
      </ol>
    </section>`;
}

/** The person, masked; 查看联系方式 asks for a reason, which the audit log keeps with the reveal. A role that may not
 * see the person at all (a hotline role on a 信访 item) is offered nothing to reveal. */
function Contact({ appeal }) {
  const [reason, setReason, discard] = useDraft(`reveal:${appeal.id}`, "");
  const [revealed, setRevealed] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const person = appeal.petitioner;
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const answer = await run("RevealContact", { id: appeal.id, reason: reason.trim() });
      const payload = answer.data?.revealAppealContact;
      if (payload?.contact) {
        setRevealed(payload.contact);
        discard();
      } else {
        const refusals = [...(payload?.userErrors ?? []), ...(answer.errors ?? [])];
        setProblem(refusals.map((e) => e.message).join("；") || "未能查看联系方式。");
      }
    } catch (error) {
      if (error.name !== "SessionEnded") setProblem(error.message);
    } finally {
      setBusy(false);
    }
  }
  return html`
    <section aria-labelledby="contact-title">
      <h2 id="contact-title">诉求人</h2>
      ${person ? html`<p class="person">${person.name ?? "—"} · ${person.phone ?? "—"}</p>`
        : html`<p class="muted">您的角色不可查看诉求人信息。</p>`}
      ${!person ? null : revealed ? html`
        <div class="revealed" role="status">
          <p>联系方式：${revealed.name ?? "—"} · ${revealed.phone ?? "—"}${revealed.idNumber ? ` · ${revealed.idNumber}` : ""}</p>
          <p class="muted">已记入审计（${revealed.auditId}）</p>
        </div>` : html`
        <form class="reveal" onSubmit=${submit}>
          <label for="reveal-reason">查看联系方式的事由（将记入审计）</label>
          <textarea id="reveal-reason" name="reason" required minlength="2" rows="2"
            value=${reason} onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
          <button type="submit" disabled=${busy || !reason.trim()}>查看联系方式</button>
          ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
        </form>`}
    </section>`;
}
