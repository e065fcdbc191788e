// The browser's login, shared by the workbench and GraphiQL: OpenID Connect authorization code with PKCE (S256)
// through the gateway's embedded provider, silent refresh before the access token expires, and a logout that
// reaches every tab of this origin.
//
// The session (tokens and the user's claims) lives in localStorage, so every tab of the origin shares one login;
// a change made by one tab reaches the others as a `storage` event. Refresh tokens rotate and a reused one revokes
// the whole login, so only one tab refreshes at a time (Web Locks) and the others adopt what it stored.

const CLIENT_ID = "minyi-portal";
const SCOPE = "openid profile appeals:read appeals:write contact:reveal";
const SESSION_KEY = "minyi.session"; // localStorage, shared by the tabs
const PENDING_KEY = "minyi.login"; // sessionStorage: this tab's login in flight (verifier, state, where to return)
const REFRESH_LOCK = "minyi.refresh";

export class SessionEnded extends Error {
  constructor(message = "登录已失效") {
    super(message);
    this.name = "SessionEnded";
  }
}

export class LoginFailed extends Error {
  constructor(message) {
    super(message);
    this.name = "LoginFailed";
  }
}

export const redirectUri = () => `${location.origin}/portal/callback`;

/** Where the user is now, to come back to after a login: a path of this origin. */
export const currentPlace = () => location.pathname + location.search + location.hash;

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes) {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return base64url(buffer);
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The claims of a JWT (not verified: the gateway verifies; the browser only reads its own token). */
export function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** A same-origin path to return to, never another site (an open redirect). */
function safePlace(place) {
  return typeof place === "string" && place.startsWith("/") && !place.startsWith("//") ? place : "/portal/";
}

export function currentSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

const listeners = new Set();

/** Call `listener(session | null)` whenever the session changes, in this tab or another. */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce(session) {
  schedule();
  for (const listener of listeners) listener(session);
}

window.addEventListener("storage", (event) => {
  if (event.key === SESSION_KEY || event.key === null) announce(currentSession());
});

function save(tokens, previous) {
  const claims = claimsOf(tokens.access_token);
  const lifetimeMs = tokens.expires_in * 1000;
  const session = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken ?? null,
    idToken: tokens.id_token ?? previous?.idToken ?? null,
    expiresAt: Date.now() + lifetimeMs,
    lifetimeMs,
    user: {
      username: claims.sub,
      name: claims.name ?? claims.sub,
      roles: claims.roles ?? [],
      unit: claims.unit ?? null,
      jurisdiction: claims.jurisdiction ?? null,
      personKey: claims.person_key ?? null, // citizens: whose appeals are their own
    },
  };
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  announce(session);
  return session;
}

function clear() {
  localStorage.removeItem(SESSION_KEY);
  announce(null);
}

/** Go to the login page; after the login the user comes back to `returnTo`. */
export async function login(returnTo = currentPlace()) {
  const verifier = randomString(48);
  const state = randomString(16);
  const nonce = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce, returnTo: safePlace(returnTo) }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: SCOPE,
    state,
    nonce,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`/oauth/authorize?${query}`);
  return new Promise(() => {}); // the page is going away
}

async function tokenRequest(form) {
  const response = await fetch("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    // invalid_grant and friends: the login is over; a 5xx is an outage, worth another try
    if (response.status < 500) throw new SessionEnded(body.error_description || body.error);
    throw new Error(body.error_description || `登录服务暂不可用 (${response.status})`);
  }
  return body;
}

/** Finish the login on /portal/callback; returns the place to go back to. */
export async function completeLogin() {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  if (params.get("error")) throw new LoginFailed(params.get("error_description") || params.get("error"));
  if (!pending || !params.get("state") || params.get("state") !== pending.state) {
    throw new LoginFailed("登录请求已过期或不匹配，请重新登录。");
  }
  const tokens = await tokenRequest({
    grant_type: "authorization_code",
    code: params.get("code") || "",
    redirect_uri: redirectUri(),
    client_id: CLIENT_ID,
    code_verifier: pending.verifier,
  });
  if (tokens.id_token && claimsOf(tokens.id_token).nonce !== pending.nonce) {
    throw new LoginFailed("登录响应不匹配，请重新登录。");
  }
  save(tokens);
  return pending.returnTo;
}

const marginMs = (session) => Math.min(60_000, Math.max(5_000, session.lifetimeMs / 4));

/** New tokens before the old expire; one tab at a time. `seen` is the access token the caller holds. */
export function refresh(seen) {
  return navigator.locks.request(REFRESH_LOCK, async () => {
    const session = currentSession();
    if (!session || !session.refreshToken) throw new SessionEnded();
    if (session.accessToken !== seen && session.expiresAt - Date.now() > marginMs(session)) return session;
    try {
      return save(
        await tokenRequest({ grant_type: "refresh_token", refresh_token: session.refreshToken, client_id: CLIENT_ID }),
        session,
      );
    } catch (error) {
      if (error instanceof SessionEnded && currentSession()?.refreshToken === session.refreshToken) clear();
      throw error;
    }
  });
}

/** A valid access token, refreshed first when it is about to expire. */
export async function accessToken() {
  const session = currentSession();
  if (!session) throw new SessionEnded();
  if (session.expiresAt - Date.now() < 5_000) return (await refresh(session.accessToken)).accessToken;
  return session.accessToken;
}

let expiredHandler = () => login();

/** What to do when the login is found expired or revoked (the app saves drafts, then goes to the login page). */
export function onExpired(handler) {
  expiredHandler = handler;
}

export function sessionExpired() {
  clear();
  expiredHandler();
}

let timer = null;

function schedule() {
  clearTimeout(timer);
  const session = currentSession();
  if (!session) return;
  const due = session.expiresAt - marginMs(session) - Date.now();
  timer = setTimeout(() => {
    refresh(session.accessToken).catch((error) => {
      if (error instanceof SessionEnded) sessionExpired();
      else schedule(); // an outage: try again later
    });
  }, Math.max(0, due));
}

/** End the login at the provider (its refresh tokens are revoked, its access tokens refused), then in every tab. */
export async function logout() {
  const session = currentSession();
  const form = { client_id: CLIENT_ID };
  if (session?.idToken) form.id_token_hint = session.idToken;
  try {
    await fetch("/oauth/logout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
      credentials: "same-origin",
    });
  } finally {
    clear(); // the other tabs hear it as a storage event
  }
}

schedule();
