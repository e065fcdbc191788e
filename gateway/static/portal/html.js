// Templates without a compiler: htm's tagged templates over Preact's h().
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
