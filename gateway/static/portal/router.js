// Views are chosen by the URL fragment (#/appeal/hotline:123), so the page URL stays /portal/ and a reload or a
// return from the login page lands on the same view.
import { useEffect, useState } from "preact/hooks";

const parse = () => {
  const [, view = "", ...rest] = (location.hash || "#/").slice(1).split("/");
  return { view, arg: rest.length ? decodeURIComponent(rest.join("/")) : null };
};

export function useRoute() {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => setRoute(parse());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export const appealHref = (id) => `#/appeal/${encodeURIComponent(id)}`;
