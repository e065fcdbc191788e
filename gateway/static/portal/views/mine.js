// 我的诉求: a citizen's own appeals in every system, newest first, each with express-style tracking (the 10 nodes as
// a citizen may see them: where the matter is now and when it got there), the reply, and her rating once answered.
// Nothing else: no warnings, no other people's appeals, no staff pages.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { DISPATCH_STATES, formatTime, SATISFACTION } from "../vocabulary.js";
import { byReceivedDesc, Problems, Status, SystemBadge } from "./common.js";

const POLL_MS = 1000;
const SCORES = [
  ["5", "5 分 · 非常满意"],
  ["4", "4 分 · 满意"],
  ["3", "3 分 · 基本满意"],
  ["2", "2 分 · 不太满意"],
  ["1", "1 分 · 不满意"],
];

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function MyAppeals({ user }) {
  const [answer, setAnswer] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!user.personKey) {
      setAnswer({ errors: [{ message: "您的账号没有关联身份，无法查询诉求。" }] });
      return;
    }
    run("MyAppeals", { citizen: `citizen:${user.personKey}` }).then(setAnswer, (error) => {
      if (error.name !== "SessionEnded") setAnswer({ errors: [{ message: error.message }] });
    });
  }, [user.personKey, version]);
  if (answer === null) return html`<p role="status">正在载入您的诉求…</p>`;
  const found = [...(answer.data?.own?.nodes ?? []), ...(answer.data?.node?.appeals?.nodes ?? [])];
  const rows = [...new Map(found.filter((row) => row.petitioner?.personKey === user.personKey).map((row) => [row.id, row])).values()]
    .sort(byReceivedDesc);
  return html`
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">我的诉求</h1>
      <${Problems} errors=${answer.errors} />
      ${rows.length ? html`<ul class="cards">
        ${rows.map((row) => html`<${AppealCard} key=${row.id} appeal=${row} onRated=${() => setVersion((v) => v + 1)} />`)}
      </ul>` : html`<p class="empty">没有找到您的诉求。</p>`}
    </section>`;
}

function AppealCard({ appeal, onRated }) {
  const current = [...(appeal.timeline ?? [])].reverse().find((node) => node.reached);
  const titleId = `mine-${appeal.id.replace(/[^a-z0-9]/gi, "-")}`;
  return html`<li data-id=${appeal.id} aria-labelledby=${titleId}>
    <h2 id=${titleId} class="card-title"><${SystemBadge} system=${appeal.system} /> ${appeal.title ?? "（无标题）"}</h2>
    <p><${Status} status=${appeal.status} sourceStatus=${appeal.sourceStatus} /> · 编号 ${appeal.localNumber} · 提交于 ${formatTime(appeal.receivedAt)}</p>
    ${appeal.timeline?.length ? html`<ol class="express" aria-label="办理进度">
      ${appeal.timeline.map((node) => html`<li key=${node.number} data-step=${node.number}
        class=${node === current ? "current" : node.reached ? "reached" : "ahead"}
        aria-current=${node === current ? "step" : null}>
        <span class="node-name">${node.name}</span>
        <span class="node-state">${node.reached ? formatTime(node.at) : "未到达"}</span>
        ${node.reached && node.unit ? html`<span class="node-unit">${node.unit}</span>` : null}
      </li>`)}
    </ol>` : null}
    ${appeal.reply?.text ? html`<div class="reply"><h3>答复</h3><p class="content">${appeal.reply.text}</p>
      <p class="muted">${formatTime(appeal.reply.repliedAt)}</p></div>` : null}
    ${appeal.satisfaction ? html`<p class="rated">我的评价：${SATISFACTION[appeal.satisfaction.level] ?? appeal.satisfaction.level}
      ${appeal.satisfaction.score != null ? `（${appeal.satisfaction.score} 分）` : ""}</p>`
      : appeal.reply?.text ? html`<${Rating} appeal=${appeal} onRated=${onRated} />` : null}
  </li>`;
}

/** 评价: once, after the answer; written through with an idempotency key kept with the form. */
function Rating({ appeal, onRated }) {
  const [fresh] = useState(() => ({ key: newKey(), score: "5", comment: "" }));
  const [form, setForm, discard] = useDraft(`rate:${appeal.id}`, fresh);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState([]);
  const [dispatch, setDispatch] = useState(null);
  useEffect(() => {
    if (dispatch?.state === "APPLIED") {
      onRated();
      return undefined;
    }
    if (dispatch?.state !== "PENDING") return undefined;
    const timer = setTimeout(() => {
      run("Dispatch", { id: dispatch.id }).then(
        (a) => setDispatch(a.data?.dispatch ?? { ...dispatch }),
        () => setDispatch({ ...dispatch }),
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [dispatch]);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblems([]);
    setForm(form);
    try {
      const answer = await run("RateAppeal", { input: {
        appealId: appeal.id, score: Number(form.score), comment: form.comment.trim() || null, idempotencyKey: form.key,
      } });
      const payload = answer.data?.rateAppeal;
      if (payload?.dispatch) {
        discard();
        setDispatch(payload.dispatch);
      } else {
        const refusals = [...(payload?.userErrors ?? []), ...(answer.errors ?? [])];
        setProblems(refusals.length ? refusals.map((e) => e.message) : ["未能提交评价，请稍后再试。"]);
      }
    } catch (error) {
      if (error.name !== "SessionEnded") setProblems([error.message]);
    }
    setBusy(false);
  }

  if (dispatch) {
    return html`<p class="dispatch dispatch-${dispatch.state.toLowerCase()}" role="status" data-state=${dispatch.state}>
      评价：${DISPATCH_STATES[dispatch.state] ?? dispatch.state}（${dispatch.state}）</p>`;
  }
  const id = (name) => `rate-${appeal.id.replace(/[^a-z0-9]/gi, "-")}-${name}`;
  return html`<form class="rating" data-idempotency-key=${form.key} onSubmit=${submit}>
    <h3>评价答复</h3>
    <label for=${id("score")}>满意度</label>
    <select id=${id("score")} name="score" value=${form.score} onChange=${(e) => setForm({ ...form, score: e.currentTarget.value })}>
      ${SCORES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    <label for=${id("comment")}>评价意见（可不填）</label>
    <textarea id=${id("comment")} name="comment" rows="2" value=${form.comment}
      onInput=${(e) => setForm({ ...form, comment: e.currentTarget.value })}></textarea>
    <button type="submit" disabled=${busy}>提交评价</button>
    ${problems.length ? html`<div class="error" role="alert">${problems.map((p) => html`<p>${p}</p>`)}</div>` : null}
  </form>`;
}
