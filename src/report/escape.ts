/** Escaping text for the XML and HTML reports. */

const XML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/** Text safe inside XML content or attributes; control characters XML 1.0 cannot carry are dropped. */
export const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => XML_ENTITIES[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

const HTML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' };

export const escapeHtml = (text: string): string => text.replace(/[<>&'"]/g, (c) => HTML_ENTITIES[c]);
