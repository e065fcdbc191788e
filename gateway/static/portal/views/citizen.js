// 市民360: everything one person filed in every system, merged in time. The phone is sent in the request body and
// kept only in this tab's draft, never in a URL.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { AppealTable, byReceivedDesc, Problems, rowsOf } from "./common.js";

export function Citizen360() {
  const [phone, setPhone] = useDraft("citizen360:phone", "");
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      setAnswer(await run("Citizen360", { phone: phone.trim() }));
    } catch (error) {
      if (error.name !== "SessionEnded") setAnswer({ errors: [{ message: error.message }] });
    } finally {
      setBusy(false);
    }
  }
  const citizen = answer?.data?.citizen;
  const rows = citizen ? rowsOf(citizen).sort(byReceivedDesc) : [];
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
      ${citizen ? html`<${AppealTable} rows=${rows} caption=${`此人在各系统的诉求，共 ${rows.length} 件，按时间排序`}
        empty="此人在各系统都没有诉求。" />` : null}
    </section>`;
}
