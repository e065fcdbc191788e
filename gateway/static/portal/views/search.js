// 跨系统搜索: the same words asked of every system at once, one list of what the user may see.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useDraft } from "../drafts.js";
import { run } from "../graphql.js";
import { AppealTable, byReceivedDesc, Problems, rowsOf } from "./common.js";

export function Search() {
  const [text, setText] = useDraft("search:text", "");
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      setAnswer(await run("SearchAppeals", { text: text.trim() }));
    } catch (error) {
      if (error.name !== "SessionEnded") setAnswer({ errors: [{ message: error.message }] });
    } finally {
      setBusy(false);
    }
  }
  const rows = answer ? rowsOf(answer.data).sort(byReceivedDesc) : [];
  return html`
    <section aria-labelledby="search-title">
      <h1 id="search-title">跨系统搜索</h1>
      <form class="inline" role="search" onSubmit=${submit}>
        <label for="search-text">关键词</label>
        <input id="search-text" type="search" required value=${text} onInput=${(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled=${busy}>搜索</button>
      </form>
      ${answer ? html`<${Problems} errors=${answer.errors} />
        <${AppealTable} rows=${rows} caption=${`找到 ${rows.length} 件`} empty="没有找到。" />` : null}
    </section>`;
}
