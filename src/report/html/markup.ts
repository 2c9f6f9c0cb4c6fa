/**
 * HTML built so that nothing from outside can become markup: every value put into the `html`
 * template is escaped unless it is itself markup made by this template (or by `raw` for constants).
 */
import { escapeHtml } from '../escape.js';

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What may go into a template: text (escaped), markup, numbers, nothing, or a list of these. */
export type Content = Markup | string | number | boolean | null | undefined | readonly Content[];

function render(value: Content): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Content[]): Markup {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Markup(out);
}

/** Markup written in this code base (style sheets and the like); never for data. */
export const raw = (text: string): Markup => new Markup(text);
