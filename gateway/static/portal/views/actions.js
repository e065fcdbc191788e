// 办理: the actions the user's role may take on an appeal, each written through to the appeal's system of record
// by its mutation with an idempotency key. The key is made when the form opens and kept with the form's draft, so a
// form sent again (after a lost answer, or a new login) is the same write, never a second one. The answer says
// whether the write is applied yet; a PENDING write is followed until it is APPLIED or FAILED.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { CLOSURE_LEVELS, DISPATCH_STATES, LINK_KINDS } from "../vocabulary.js";

const POLL_MS = 1000;

const units = (text) => text.split(/[,，、\s]+/).map((u) => u.trim()).filter(Boolean);

/** Each action: who may take it, in which unified statuses (or, on a hotline ticket, in which state of the user's
 * own unit), its form, and how it is sent. The graph checks all of it again and says why when it refuses. */
const ACTIONS = [
  {
    key: "dispatch", label: "派单", roles: ["dispatcher", "petition_officer"], statuses: ["SUBMITTED", "ACCEPTED"],
    fields: [
      { name: "leadUnit", label: "主办单位编码", required: true },
      { name: "coUnits", label: "会办单位编码（可多个，用逗号分隔）" },
      { name: "note", label: "派单意见", multiline: true },
    ],
    send: (id, v, key) => run("DispatchAppeal", { input: {
      appealId: id, leadUnit: v.leadUnit.trim(), coUnits: units(v.coUnits ?? ""), note: v.note || null, idempotencyKey: key,
    } }).then((a) => [a, a.data?.dispatchAppeal]),
  },
  {
    key: "sign", label: "签收", roles: ["unit_handler"], statuses: ["DISPATCHED", "PENDING_SIGN"], unitStates: ["待签收"],
    fields: [],
    send: (id, v, key) => run("SignAppeal", { input: { appealId: id, idempotencyKey: key } })
      .then((a) => [a, a.data?.signAppeal]),
  },
  {
    key: "reply", label: "答复", roles: ["unit_handler"], statuses: ["HANDLING", "EXTENDED", "REHANDLE"], unitStates: ["办理中"],
    fields: [{ name: "text", label: "答复内容", multiline: true, required: true }],
    send: (id, v, key) => run("ReplyAppeal", { input: { appealId: id, text: v.text.trim(), idempotencyKey: key } })
      .then((a) => [a, a.data?.replyAppeal]),
  },
  {
    key: "return", label: "退单", roles: ["unit_handler"], statuses: ["DISPATCHED", "PENDING_SIGN", "HANDLING"],
    unitStates: ["待签收", "办理中"],
    fields: [{ name: "reason", label: "退单理由", multiline: true, required: true }],
    send: (id, v, key) => run("ReturnAppeal", { input: { appealId: id, reason: v.reason.trim(), idempotencyKey: key } })
      .then((a) => [a, a.data?.returnAppeal]),
  },
  {
    key: "extend", label: "申请延期", roles: ["unit_handler"], statuses: ["HANDLING", "REHANDLE"], unitStates: ["办理中"],
    fields: [
      { name: "days", label: "延期天数", type: "number", required: true },
      { name: "reason", label: "延期理由", multiline: true, required: true },
    ],
    send: (id, v, key) => run("RequestAppealExtension", { input: {
      appealId: id, days: Number(v.days), reason: v.reason.trim(), idempotencyKey: key,
    } }).then((a) => [a, a.data?.requestAppealExtension]),
  },
  {
    key: "close", label: "办结", roles: ["dispatcher", "petition_officer"], statuses: ["REPLIED", "AUDIT", "VISIT", "NOT_ACCEPTED", "REDIRECTED"],
    fields: [{ name: "closure", label: "办结层级", choices: CLOSURE_LEVELS, required: true }],
    send: (id, v, key) => run("CloseAppeal", { input: { appealId: id, closure: v.closure, idempotencyKey: key } })
      .then((a) => [a, a.data?.closeAppeal]),
  },
  {
    key: "urge", label: "催办", roles: ["dispatcher", "supervisor"], statuses: ["DISPATCHED", "PENDING_SIGN", "HANDLING", "EXTENDED", "REHANDLE", "AUDIT"],
    fields: [{ name: "opinion", label: "催办意见", multiline: true }],
    send: (id, v, key) => run("UrgeAppeal", { input: { appealId: id, opinion: v.opinion || null, idempotencyKey: key } })
      .then((a) => [a, a.data?.urgeAppeal]),
  },
  {
    key: "link", label: "关联重复件", roles: ["dispatcher", "petition_officer"], statuses: null,
    fields: [
      { name: "duplicateId", label: "关联诉求编号（如 petition:XF2026…）", required: true },
      { name: "kind", label: "关联类型", choices: LINK_KINDS, required: true },
    ],
    send: (id, v, key) => run("LinkDuplicateAppeals", { input: {
      appealId: id, duplicateId: v.duplicateId.trim(), kind: v.kind, idempotencyKey: key,
    } }).then((a) => [a, a.data?.linkDuplicateAppeals]),
  },
];

/** The actions open to `user` on `appeal` now. */
export function actionsFor(user, appeal) {
  const mine = appeal.unitStates?.find((s) => s.unit.code === user.unit);
  return ACTIONS.filter((action) => {
    if (!action.roles.some((role) => user.roles.includes(role))) return false;
    if (mine && action.unitStates) return action.unitStates.includes(mine.state);
    if (appeal.unitStates && action.unitStates) return false; // a hotline ticket not assigned to the user's unit
    return !action.statuses || action.statuses.includes(appeal.status);
  });
}

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const initialFields = (action) =>
  Object.fromEntries(action.fields.map((f) => [f.name, f.choices ? Object.keys(f.choices)[0] : ""]));

/** The actions as buttons, the chosen one's form below them, and the writes made here with how far each has got. */
export function Actions({ user, appeal, onWritten }) {
  const available = actionsFor(user, appeal);
  const [chosen, setChosen] = useDraft(`action:${appeal.id}`, "");
  const [writes, setWrites] = useState([]); // [{label, dispatch}], newest first
  const action = available.find((a) => a.key === chosen);

  function written(label, dispatch) {
    setChosen("");
    setWrites((previous) => [{ label, dispatch }, ...previous]);
    if (dispatch.state === "APPLIED") onWritten();
  }

  // PENDING writes: ask again until each is applied or failed; the appeal is read again after each one applied
  useEffect(() => {
    const pending = writes.filter((w) => w.dispatch.state === "PENDING");
    if (!pending.length) return undefined;
    const timer = setTimeout(async () => {
      const answers = await Promise.all(
        pending.map((w) => run("Dispatch", { id: w.dispatch.id }).then((a) => a.data?.dispatch ?? null, () => null)),
      );
      const now = new Map(answers.filter(Boolean).map((d) => [d.id, d]));
      setWrites((previous) => previous.map((w) => ({ ...w, dispatch: now.get(w.dispatch.id) ?? w.dispatch })));
      if (answers.some((d) => d?.state === "APPLIED")) onWritten();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [writes]);

  if (!available.length && !writes.length) return null;
  return html`
    <section aria-labelledby="actions-title" class="actions">
      <h2 id="actions-title">办理</h2>
      ${available.length ? html`<div class="action-buttons" role="group" aria-label="可办理的操作">
        ${available.map((a) => html`<button type="button" data-action=${a.key} aria-pressed=${a.key === chosen ? "true" : "false"}
          onClick=${() => setChosen(a.key === chosen ? "" : a.key)}>${a.label}</button>`)}
      </div>` : null}
      ${action ? html`<${ActionForm} key=${action.key} action=${action} appeal=${appeal}
        onDispatch=${(dispatch) => written(action.label, dispatch)} />` : null}
      ${writes.length ? html`<ul class="writes" aria-label="本次办理">
        ${writes.map(({ label, dispatch }) => html`<li key=${dispatch.id} class="dispatch dispatch-${dispatch.state.toLowerCase()}"
          data-state=${dispatch.state} data-dispatch=${dispatch.id} role="status">
          <p>${label}：<strong>${DISPATCH_STATES[dispatch.state] ?? dispatch.state}</strong>（${dispatch.state}）
            <span class="muted">回执 ${dispatch.id}</span></p>
          ${dispatch.steps?.length ? html`<ul class="steps">${dispatch.steps.map((s) => html`<li>${s.description}：${DISPATCH_STATES[s.state] ?? s.state}${s.error ? `（${s.error}）` : ""}</li>`)}</ul>` : null}
          ${dispatch.reason ? html`<p class="error">${dispatch.reason}</p>` : null}
        </li>`)}
      </ul>` : null}
    </section>`;
}

function ActionForm({ action, appeal, onDispatch }) {
  const [fresh] = useState(() => ({ key: newKey(), values: initialFields(action) }));
  const [form, setDraft, discard] = useDraft(`action:${appeal.id}:${action.key}`, fresh);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState([]);
  const set = (name, value) => setDraft({ ...form, values: { ...form.values, [name]: value } });

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblems([]);
    setDraft(form); // the key is kept before the write is sent: sending again is the same write
    try {
      const [answer, payload] = await action.send(appeal.id, form.values, form.key);
      if (payload?.dispatch) {
        discard();
        onDispatch(payload.dispatch);
        return;
      }
      const refusals = [...(payload?.userErrors ?? []), ...(answer.errors ?? [])];
      setProblems(refusals.length ? refusals.map((e) => e.message) : ["未能提交，请稍后再试。"]);
    } catch (error) {
      if (error.name !== "SessionEnded") setProblems([error.message]);
    }
    setBusy(false);
  }

  const id = (name) => `action-${action.key}-${name}`;
  return html`
    <form class="action-form" data-action=${action.key} data-idempotency-key=${form.key} onSubmit=${submit}>
      ${action.fields.map((f) => html`
        <label for=${id(f.name)}>${f.label}</label>
        ${f.choices
          ? html`<select id=${id(f.name)} name=${f.name} required=${f.required} value=${form.values[f.name]}
              onChange=${(e) => set(f.name, e.currentTarget.value)}>
              ${Object.entries(f.choices).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            </select>`
          : f.multiline
            ? html`<textarea id=${id(f.name)} name=${f.name} rows="3" required=${f.required} value=${form.values[f.name]}
                onInput=${(e) => set(f.name, e.currentTarget.value)}></textarea>`
            : html`<input id=${id(f.name)} name=${f.name} type=${f.type ?? "text"} required=${f.required} autocomplete="off"
                value=${form.values[f.name]} onInput=${(e) => set(f.name, e.currentTarget.value)} />`}`)}
      <button type="submit" disabled=${busy}>确认${action.label}</button>
      ${problems.length ? html`<div class="error" role="alert">${problems.map((p) => html`<p>${p}</p>`)}</div>` : null}
    </form>`;
}
