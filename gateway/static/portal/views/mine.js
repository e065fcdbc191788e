// 我的诉求: a citizen's own appeals in every system, newest first. The graph shows a citizen her own appeals and the
// board's public threads; this view keeps only those filed by her (her person key, from her login).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { run } from "../graphql.js";
import { appealHref } from "../router.js";
import { formatTime } from "../vocabulary.js";
import { byReceivedDesc, Problems, rowsOf, Status, SystemBadge } from "./common.js";

export function MyAppeals({ user }) {
  const [answer, setAnswer] = useState(null);
  useEffect(() => {
    run("MyAppeals").then(setAnswer, (error) => setAnswer({ errors: [{ message: error.message }] }));
  }, []);
  if (answer === null) return html`<p role="status">正在载入您的诉求…</p>`;
  const rows = rowsOf(answer.data)
    .filter((row) => user.personKey && row.petitioner?.personKey === user.personKey)
    .sort(byReceivedDesc);
  return html`
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">我的诉求</h1>
      <${Problems} errors=${answer.errors} />
      ${rows.length ? html`<ul class="cards">
        ${rows.map((row) => html`<li key=${row.id} data-id=${row.id}>
          <p><${SystemBadge} system=${row.system} /> <a href=${appealHref(row.id)}>${row.title ?? "（无标题）"}</a></p>
          <p><${Status} status=${row.status} sourceStatus=${row.sourceStatus} /> · 提交于 ${formatTime(row.receivedAt)}</p>
        </li>`)}
      </ul>` : html`<p class="empty">没有找到您的诉求。</p>`}
    </section>`;
}
