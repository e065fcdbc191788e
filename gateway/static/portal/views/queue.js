// 我的待办: the open work of the user's unit or role in every system, in one list from the merged search, soonest
// deadline first, with the warning colour (三色预警), counts by colour and by system, and filters. The graph answers
// only what the user's role may see; the queue also keeps to the user's area: a unit handler's queue is the work
// assigned to their unit (主办 or 会办), and a role bound to a district, street or grid sees that area's work.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { run } from "../graphql.js";
import { OPEN_STATUSES, significantCode, STATUSES, SYSTEMS, WARNING_ORDER, WARNINGS } from "../vocabulary.js";
import { AppealTable, byDeadline, Problems } from "./common.js";

const UNSEEN = "UNSEEN";
const COLOUR_NAMES = { ...WARNINGS, [UNSEEN]: "预警不可见" };
const MAX_PAGES = 10; // 1,000 items per area: a queue longer than that is a matter for search, not a work list

/** The filters of the user's queue: one per area of their jurisdiction below the city (a city-wide role: one). */
export function queueFilters(user) {
  const base = { statuses: OPEN_STATUSES };
  if (user.roles.includes("unit_handler") && user.unit) return [{ ...base, unitCode: user.unit }];
  const areas = (user.jurisdiction?.admin_codes ?? []).map(significantCode).filter((code) => code.length > 4);
  return areas.length ? areas.map((adminCode) => ({ ...base, adminCode })) : [base];
}

/** Every page of every filter, merged by id; the errors of all of them. */
async function loadQueue(user) {
  const rows = new Map();
  const errors = [];
  let truncated = false;
  for (const filter of queueFilters(user)) {
    let after = null;
    for (let page = 0; ; page++) {
      const answer = await run("MyQueue", { filter, after });
      errors.push(...(answer.errors ?? []));
      const connection = answer.data?.appeals;
      for (const row of connection?.nodes ?? []) rows.set(row.id, row);
      if (!connection?.pageInfo.hasNextPage) break;
      if (page + 1 >= MAX_PAGES) {
        truncated = true;
        break;
      }
      after = connection.pageInfo.endCursor;
    }
  }
  return { rows: [...rows.values()], errors, truncated };
}

export function Queue({ user }) {
  const [answer, setAnswer] = useState(null);
  const [system, setSystem] = useState("");
  const [status, setStatus] = useState("");
  const [colour, setColour] = useState("");
  useEffect(() => {
    loadQueue(user).then(setAnswer, (error) => {
      if (error.name !== "SessionEnded") setAnswer({ rows: [], errors: [{ message: error.message }] });
    });
  }, [user.username]);
  if (answer === null) return html`<p role="status">正在载入待办…</p>`;
  const rows = [...answer.rows].sort(byDeadline);
  const count = (key, value) => rows.filter((row) => key(row) === value).length;
  const colourOf = (row) => row.warning?.colour ?? UNSEEN; // a warning the role may not see (a 信访 item's)
  const shown = rows.filter(
    (row) => (!system || row.system === system) && (!status || row.status === status) && (!colour || colourOf(row) === colour),
  );
  const systems = Object.keys(SYSTEMS).filter((s) => count((r) => r.system, s));
  const statuses = Object.keys(STATUSES).filter((s) => count((r) => r.status, s));
  const colours = [...WARNING_ORDER, UNSEEN].filter((c) => c !== UNSEEN || count(colourOf, c));
  return html`
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">我的待办</h1>
      <${Problems} errors=${answer.errors} />
      ${answer.truncated ? html`<p class="note" role="note">待办过多，只载入了前 ${rows.length} 件；请用跨系统搜索缩小范围。</p>` : null}
      <ul class="counts colours" aria-label="按预警颜色统计">
        ${colours.map((c) => html`<li class="warning-${c.toLowerCase()}" data-colour=${c}>
          ${COLOUR_NAMES[c]} <strong>${count(colourOf, c)}</strong></li>`)}
      </ul>
      <ul class="counts systems" aria-label="按系统统计">
        ${systems.map((s) => html`<li>${SYSTEMS[s]} <strong>${count((r) => r.system, s)}</strong></li>`)}
        <li>合计 <strong>${rows.length}</strong></li>
      </ul>
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label>系统
          <select name="system" value=${system} onChange=${(e) => setSystem(e.currentTarget.value)}>
            <option value="">全部系统</option>
            ${systems.map((s) => html`<option value=${s}>${SYSTEMS[s]}（${count((r) => r.system, s)}）</option>`)}
          </select>
        </label>
        <label>预警
          <select name="colour" value=${colour} onChange=${(e) => setColour(e.currentTarget.value)}>
            <option value="">全部颜色</option>
            ${colours.map((c) => html`<option value=${c}>${COLOUR_NAMES[c]}（${count(colourOf, c)}）</option>`)}
          </select>
        </label>
        <label>状态
          <select name="status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
            <option value="">全部状态</option>
            ${statuses.map((s) => html`<option value=${s}>${STATUSES[s]}（${count((r) => r.status, s)}）</option>`)}
          </select>
        </label>
      </form>
      <${AppealTable} rows=${shown} warnings=${true} caption=${`未办结 ${shown.length} 件，按截止时间排序`} empty="没有待办。" />
    </section>`;
}
