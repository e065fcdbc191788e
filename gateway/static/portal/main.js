// 民意工作台: the shell — login on arrival, the header with the user and 退出登录, and the view for the URL fragment.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { useRoute } from "./router.js";
import { completeLogin, currentPlace, currentSession, login, logout, onExpired, onSessionChange } from "./session.js";
import { ROLES } from "./vocabulary.js";
import { AppealView } from "./views/appeal.js";
import { Citizen360 } from "./views/citizen.js";
import { MyAppeals } from "./views/mine.js";
import { Queue } from "./views/queue.js";
import { Search } from "./views/search.js";

// roles that look people up across systems (caller history, 一人多投) — the graph masks what each may not see
const CITIZEN_360_ROLES = ["operator", "dispatcher", "supervisor", "petition_officer"];

const isCitizen = (user) => user.roles.includes("citizen");

function Nav({ user, view }) {
  const links = isCitizen(user)
    ? [["", "我的诉求"]]
    : [["", "我的待办"], ["search", "跨系统搜索"],
       ...(user.roles.some((r) => CITIZEN_360_ROLES.includes(r)) ? [["citizen", "市民360"]] : [])];
  return html`<nav aria-label="主导航"><ul>
    ${links.map(([target, label]) => html`<li><a href=${`#/${target}`} aria-current=${view === target ? "page" : null}>${label}</a></li>`)}
    ${isCitizen(user) ? null : html`<li><a href="/graphql">GraphiQL</a></li>`}
  </ul></nav>`;
}

function View({ user, route }) {
  if (isCitizen(user)) return html`<${MyAppeals} user=${user} />`; // her own appeals, and no staff page
  if (route.view === "appeal" && route.arg) return html`<${AppealView} id=${route.arg} user=${user} />`;
  if (route.view === "search") return html`<${Search} />`;
  if (route.view === "citizen") return html`<${Citizen360} user=${user} />`;
  return html`<${Queue} user=${user} />`;
}

function SignedOut() {
  return html`<main class="signed-out" id="main">
    <h1>您已退出登录</h1>
    <p>民意统一登录已结束，所有标签页都已退出。</p>
    <button type="button" onClick=${() => login("/portal/")}>重新登录</button>
  </main>`;
}

function App() {
  const [session, setSession] = useState(currentSession);
  const route = useRoute();
  useEffect(() => onSessionChange(setSession), []);
  if (!session) return html`<${SignedOut} />`;
  const { user } = session;
  return html`
    <a class="skip" href="#main">跳到正文</a>
    <header class="top">
      <p class="brand">民意工作台</p>
      <${Nav} user=${user} view=${route.view} />
      <p class="who"><span class="user-name">${user.name}</span> · <span class="user-role">${user.roles.map((r) => ROLES[r] ?? r).join("、")}</span></p>
      <button type="button" class="logout" onClick=${() => logout()}>退出登录</button>
    </header>
    <main id="main" tabindex="-1"><${View} user=${user} route=${route} /></main>`;
}

function LoginProblem({ message }) {
  return html`<main class="signed-out" id="main"><h1>登录未完成</h1><p role="alert">${message}</p>
    <button type="button" onClick=${() => login("/portal/")}>重新登录</button></main>`;
}

async function start() {
  const root = document.getElementById("app");
  root.textContent = ""; // the loading note goes; preact renders into an empty element
  // an expired or revoked login: to the login page and back to this very place; form drafts stay in the tab
  onExpired(() => login(currentPlace()));
  if (location.pathname === "/portal/callback") {
    let place;
    try {
      place = await completeLogin();
    } catch (error) {
      history.replaceState(null, "", "/portal/");
      render(html`<${LoginProblem} message=${error.message} />`, root);
      return;
    }
    if (!place.startsWith("/portal/")) {
      location.replace(place); // GraphiQL and other pages of the gateway that sent the user to log in
      return;
    }
    history.replaceState(null, "", place);
  } else if (!currentSession()) {
    await login();
    return;
  }
  render(html`<${App} />`, root);
}

start();
