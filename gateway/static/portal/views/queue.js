// 我的待办: the work the user may see in every system in one list, soonest deadline first, with filters and counts.
// The gateway answers only what the user's role and jurisdiction allow; the list shows all of that.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { run } from "../graphql.js";
import { STATUSES, SYSTEMS } from "../vocabulary.js";
import { AppealTable, byDeadline, Problems, rowsOf } from "./common.js";

// the work is over for these: not in a queue unless asked for
const FINISHED = new Set(["CLOSED", "INVALID", "NOT_ACCEPTED", "REDIRECTED"]);

export function Queue() {
  const [answer, setAnswer] = useState(null);
  const [system, setSystem] = useState("");
  const [status, setStatus] = useState("");
  const [openOnly, setOpenOnly] = useState(true);
  useEffect(() => {
    run("MyQueue").then(setAnswer, (error) => setAnswer({ errors: [{ message: error.message }] }));
  }, []);
  if (answer === null) return html`<p role="status">正在载入待办…</p>`;
  const rows = rowsOf(answer.data)
    .filter((row) => !openOnly || !FINISHED.has(row.status))
    .sort(byDeadline);
  const count = (key, value) => rows.filter((row) => row[key] === value).length;
  const shown = rows.filter((row) => (!system || row.system === system) && (!status || row.status === status));
  const systems = Object.keys(SYSTEMS).filter((s) => count("system", s));
  const statuses = Object.keys(STATUSES).filter((s) => count("status", s));
  return html`
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">我的待办</h1>
      <${Problems} errors=${answer.errors} />
      <ul class="counts" aria-label="按系统统计">
        ${systems.map((s) => html`<li>${SYSTEMS[s]} <strong>${count("system", s)}</strong></li>`)}
        <li>合计 <strong>${rows.length}</strong></li>
      </ul>
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label>系统
          <select value=${system} onChange=${(e) => setSystem(e.currentTarget.value)}>
            <option value="">全部系统</option>
            ${systems.map((s) => html`<option value=${s}>${SYSTEMS[s]}（${count("system", s)}）</option>`)}
          </select>
        </label>
        <label><input type="checkbox" checked=${openOnly} onChange=${(e) => setOpenOnly(e.currentTarget.checked)} /> 只看未办结</label>
        <label>状态
          <select value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
            <option value="">全部状态</option>
            ${statuses.map((s) => html`<option value=${s}>${STATUSES[s]}（${count("status", s)}）</option>`)}
          </select>
        </label>
      </form>
      <${AppealTable} rows=${shown} caption=${`共 ${shown.length} 件，按截止时间排序`} empty="没有待办。" />
    </section>`;
}
