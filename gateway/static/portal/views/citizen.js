// 市民360: everything one person filed in every system, merged in time by the graph (one connection, newest first,
// a page at a time), their counts by system, and the 一人多投 file for the roles that may see it (supervisors and
// the petition desk). The phone is sent in the request body and kept only in this tab's draft, never in a URL.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { SYSTEMS } from "../vocabulary.js";
import { AppealTable, Problems } from "./common.js";

/** The roles the 一人多投 file (一人多投专档) belongs to; the graph refuses it to every other role. */
const FILE_ROLES = ["supervisor", "petition_officer"];

export function Citizen360({ user }) {
  const [phone, setPhone] = useDraft("citizen360:phone", "");
  const [answer, setAnswer] = useState(null);
  const [rows, setRows] = useState([]);
  const [busy, setBusy] = useState(false);
  const withFile = (user?.roles ?? []).some((role) => FILE_ROLES.includes(role));
  async function load(after) {
    setBusy(true);
    try {
      const next = await run("Citizen360", { phone: phone.trim(), after, withFile });
      const page = next.data?.citizen?.appeals?.nodes ?? [];
      setRows((before) => (after ? [...before, ...page] : page));
      setAnswer(next);
    } catch (error) {
      if (error.name !== "SessionEnded") setAnswer({ errors: [{ message: error.message }] });
    } finally {
      setBusy(false);
    }
  }
  function submit(event) {
    event.preventDefault();
    setRows([]);
    load(null);
  }
  const citizen = answer?.data?.citizen;
  const summary = citizen?.summary;
  const pageInfo = citizen?.appeals?.pageInfo;
  const missing = [...new Set([...(summary?.unavailableSystems ?? []), ...(citizen?.appeals?.unavailableSystems ?? [])])];
  return html`
    <section aria-labelledby="citizen-title">
      <h1 id="citizen-title">市民360</h1>
      <form class="inline" onSubmit=${submit}>
        <label for="citizen-phone">来电号码</label>
        <input id="citizen-phone" type="tel" inputmode="numeric" autocomplete="off" required
          value=${phone} onInput=${(e) => setPhone(e.currentTarget.value)} />
        <button type="submit" disabled=${busy}>查询</button>
      </form>
      ${answer ? html`<${Problems} errors=${answer.errors} />` : null}
      ${missing.length ? html`<p class="notice" role="alert">${missing.map((s) => SYSTEMS[s] ?? s).join("、")}暂时无法应答，内容可能不全。</p>` : null}
      ${summary ? html`<p class="summary" data-total=${summary.totalCount}>共 ${summary.totalCount} 件，未办结 ${summary.openCount} 件：
        ${summary.bySystem.map((c) => html`<span class="system-count" data-system=${c.system}>${SYSTEMS[c.system] ?? c.system} ${c.count} 件</span> `)}</p>` : null}
      ${citizen ? html`<${AppealTable} rows=${rows} caption=${`此人在各系统的诉求，已列出 ${rows.length} 件，按时间排序`}
        empty="此人在各系统都没有诉求。" />` : null}
      ${pageInfo?.hasNextPage ? html`<button type="button" class="more" disabled=${busy}
        onClick=${() => load(pageInfo.endCursor)}>载入更多</button>` : null}
      ${citizen?.repeatProfile ? html`<${RepeatFile} file=${citizen.repeatProfile} />` : null}
    </section>`;
}

/** 一人多投专档: the person's matters filed more than once, over every system, most filed first. */
function RepeatFile({ file }) {
  return html`
    <section class="repeat-file" aria-labelledby="repeat-title" data-repeat-filer=${String(file.isRepeatFiler)}>
      <h2 id="repeat-title">一人多投专档</h2>
      <p>${file.isRepeatFiler ? "一人多投：同一事项已投诉五次及以上。" : "尚未达到一人多投（同一事项五次）。"}
        同一事项最多 ${file.mostFilings} 次。</p>
      ${file.matters.length ? file.matters.map((matter, i) => html`
        <${AppealTable} key=${i} rows=${matter.appeals}
          caption=${`同一事项 ${matter.count} 次，涉及${matter.systems.map((s) => SYSTEMS[s] ?? s).join("、")}`} />`)
        : html`<p class="empty">此人没有重复投诉的事项。</p>`}
    </section>`;
}
