// Drafts of the forms a user is filling in, kept in this tab's sessionStorage as they type: when the login
// expires mid-form the tab goes to the login page and back, and the form comes back as it was left.

import { useState } from "preact/hooks";

const PREFIX = "minyi.draft:";

function read(key) {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Like useState, remembered under `key` until `discard()` (after the form was sent). */
export function useDraft(key, initial) {
  const [value, setValue] = useState(() => read(key) ?? initial);
  const update = (next) => {
    setValue(next);
    sessionStorage.setItem(PREFIX + key, JSON.stringify(next));
  };
  const discard = () => {
    sessionStorage.removeItem(PREFIX + key);
    setValue(initial);
  };
  return [value, update, discard];
}
