// GraphiQL signed in with the workbench's login: the same PKCE session (shared by the origin's tabs), the same
// silent refresh; an expired login goes to the login page and comes back here. Opens with the example operations.
import { accessToken, currentSession, login, onSessionChange, refresh, SessionEnded } from "/portal/assets/portal/session.js";

const HERE = "/graphql";

async function post(body, token) {
  return fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(body),
  });
}

/** GraphiQL's fetcher: the user's token on every request, refreshed once when refused. */
async function fetcher(params) {
  try {
    let token = await accessToken();
    let response = await post(params, token);
    if (response.status === 401) {
      token = (await refresh(token)).accessToken;
      response = await post(params, token);
    }
    if (response.status === 401) throw new SessionEnded();
    return response.json();
  } catch (error) {
    if (error instanceof SessionEnded) await login(HERE);
    throw error;
  }
}

async function examples() {
  const index = await (await fetch("/portal/assets/graphiql/examples/index.json")).json();
  return Promise.all(
    index.map(async (example) => ({
      query: await (await fetch(`/portal/assets/graphiql/examples/${example.file}`)).text(),
      variables: example.variables ? JSON.stringify(example.variables, null, 2) : undefined,
    })),
  );
}

function showUser(session) {
  const who = document.getElementById("who");
  who.textContent = session ? `已登录：${session.user.name}` : "已退出登录";
}

async function start() {
  if (!currentSession()) {
    await login(HERE);
    return;
  }
  showUser(currentSession());
  onSessionChange((session) => {
    showUser(session);
    if (!session) login(HERE); // logged out in another tab: GraphiQL needs a login again
  });
  const tabs = await examples();
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    }),
  );
}

start();
