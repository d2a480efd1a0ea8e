/**
 * Namespace-blind XML reading for operator answers. fast-xml-parser drops prefixes
 * (removeNSPrefix) and every lookup matches local names case-insensitively, so `ns2:resultCode`,
 * `resultCode` and `RESULTCODE` read alike; sloppy closing tags (`</TXNSTATUS >`), DOCTYPE lines and
 * unknown elements are tolerated. Text values stay strings (no number coercion: serials keep their
 * leading zeros).
 */
import { XMLParser } from 'fast-xml-parser';

/** An element: its text, or its children by local name (each name maps to every occurrence). */
export type XmlNode = string | { readonly [name: string]: readonly XmlNode[] };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: () => true,
});

/** The parsed document, or undefined when the text is not XML at all. */
export function parseXml(text: string): XmlNode | undefined {
  if (!text.includes('<')) return undefined;
  try {
    const doc = parser.parse(text) as XmlNode;
    if (typeof doc !== 'object' || Object.keys(doc).length === 0) return undefined;
    return doc;
  } catch {
    return undefined;
  }
}

function children(node: XmlNode): [string, readonly XmlNode[]][] {
  return typeof node === 'string' ? [] : Object.entries(node);
}

/** Every descendant element with this local name, in document order (depth first). */
export function findAll(node: XmlNode, localName: string): XmlNode[] {
  const want = localName.toLowerCase();
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    for (const [name, list] of children(n)) {
      for (const child of list) {
        if (name.toLowerCase() === want) out.push(child);
        walk(child);
      }
    }
  };
  walk(node);
  return out;
}

export function findFirst(node: XmlNode, localName: string): XmlNode | undefined {
  return findAll(node, localName)[0];
}

/** The text of an element (its own text, '' for an element with only children). */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node.trim();
  const own = node['#text'];
  const first = own?.[0];
  return typeof first === 'string' ? first.trim() : '';
}

/** The text of the first descendant with this local name, or undefined when absent. */
export function textAt(node: XmlNode, localName: string): string | undefined {
  return textOf(findFirst(node, localName));
}

/** Like textAt but '' counts as absent. */
export function nonEmptyTextAt(node: XmlNode, localName: string): string | undefined {
  const t = textAt(node, localName);
  return t === undefined || t === '' ? undefined : t;
}
