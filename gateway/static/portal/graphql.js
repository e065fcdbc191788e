// The workbench's one way to the graph: POST /graphql with the user's access token. Operations live in
// operations/*.graphql (the gateway's tests validate every one of them against the schema it serves).

import { accessToken, refresh, SessionEnded, sessionExpired } from "./session.js";

const documents = new Map();

/** The text of operations/NAME.graphql, loaded once. */
export async function operation(name) {
  if (!documents.has(name)) {
    documents.set(
      name,
      fetch(`/portal/assets/portal/operations/${name}.graphql`).then((response) => {
        if (!response.ok) throw new Error(`operation ${name} is missing`);
        return response.text();
      }),
    );
  }
  return documents.get(name);
}

export class GraphQLFailure extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("；"));
    this.name = "GraphQLFailure";
    this.errors = errors;
  }
}

/** POST a request with the token; a refused token is refreshed once, and a login that is over ends here. */
export async function request(body) {
  for (let attempt = 0; ; attempt++) {
    let token;
    try {
      token = await accessToken();
    } catch (error) {
      if (error instanceof SessionEnded) sessionExpired();
      throw error;
    }
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      if (attempt === 0) {
        try {
          await refresh(token);
          continue;
        } catch (error) {
          if (!(error instanceof SessionEnded)) throw error;
        }
      }
      sessionExpired();
      throw new SessionEnded();
    }
    return response.json();
  }
}

/** Run operations/NAME.graphql; answers `{data, errors}` (partial answers keep their data). */
export async function run(name, variables = {}) {
  return request({ query: await operation(name), variables });
}
