/**
 * Just enough of the DOM for Observable Plot (and the d3-selection calls it makes) to draw a chart
 * where there is no document: in a Web Worker. The page then inserts the markup, so drawing a
 * live chart costs the main thread only an HTML parse. Serialises like a browser's (and jsdom's)
 * `outerHTML` in an HTML document: foreign (SVG) elements get explicit end tags, text and
 * attribute values are escaped, <style> and <script> contents are raw.
 *
 * Not supported: events (listeners are ignored), layout (getBBox, so no Plot `tip` marks),
 * selectors beyond tag, .class, #id and [attr] compounds joined by descendant combinators.
 */

const XHTML = "http://www.w3.org/1999/xhtml";
const RAW_TEXT = new Set(["style", "script"]);
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

const escapeText = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/\u00a0/g, "&nbsp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
const escapeAttribute = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/\u00a0/g, "&nbsp;")
    .replace(/"/g, "&quot;");
const kebab = (name: string) => (name.startsWith("--") ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));

/** A node: element or text. */
export abstract class MiniNode {
  parentNode: MiniElement | null = null;
  readonly ownerDocument: MiniDocument;
  constructor(ownerDocument: MiniDocument) {
    this.ownerDocument = ownerDocument;
  }
  abstract readonly nodeType: number;
  abstract get textContent(): string;
  get nextSibling(): MiniNode | null {
    const siblings = this.parentNode?.childNodes;
    if (!siblings) return null;
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  get previousSibling(): MiniNode | null {
    const siblings = this.parentNode?.childNodes;
    if (!siblings) return null;
    return siblings[siblings.indexOf(this) - 1] ?? null;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  abstract serialize(): string;
}

/** A text node. */
export class MiniText extends MiniNode {
  readonly nodeType = 3;
  data: string;
  constructor(ownerDocument: MiniDocument, data: string) {
    super(ownerDocument);
    this.data = data;
  }
  get textContent(): string {
    return this.data;
  }
  set textContent(value: string) {
    this.data = String(value);
  }
  get nodeValue(): string {
    return this.data;
  }
  serialize(): string {
    const parent = this.parentNode;
    return parent && parent.namespaceURI === XHTML && RAW_TEXT.has(parent.localName) ? this.data : escapeText(this.data);
  }
}

/** An element's inline style: setProperty/getPropertyValue/removeProperty and camelCase properties. */
function createStyle(element: MiniElement): Record<string, unknown> {
  const props = new Map<string, { value: string; priority: string }>();
  const sync = () => {
    if (props.size === 0) element.attributes.delete("style");
    else element.attributes.set("style", [...props].map(([k, v]) => `${k}: ${v.value}${v.priority ? ` !${v.priority}` : ""};`).join(" "));
  };
  const api = {
    setProperty(name: string, value: unknown, priority = "") {
      if (value === null || value === undefined || value === "") props.delete(name);
      else props.set(name, { value: String(value), priority });
      sync();
    },
    removeProperty(name: string) {
      const old = props.get(name)?.value ?? "";
      props.delete(name);
      sync();
      return old;
    },
    getPropertyValue(name: string) {
      return props.get(name)?.value ?? "";
    },
    getPropertyPriority(name: string) {
      return props.get(name)?.priority ?? "";
    },
    get cssText() {
      return element.attributes.get("style") ?? "";
    },
  };
  return new Proxy(api as Record<string, unknown>, {
    get(target, key) {
      if (typeof key !== "string" || key in target) return Reflect.get(target, key);
      return props.get(kebab(key))?.value ?? "";
    },
    set(target, key, value) {
      if (typeof key !== "string" || key in target) return Reflect.set(target, key, value);
      api.setProperty(kebab(key), value);
      return true;
    },
  });
}

interface SimpleSelector {
  tag?: string;
  id?: string;
  classes: string[];
  attributes: { name: string; value?: string }[];
}

function parseSelector(selector: string): SimpleSelector[][] {
  return selector.split(",").map((group) =>
    group
      .trim()
      .split(/\s+/)
      .map((compound) => {
        const parsed: SimpleSelector = { classes: [], attributes: [] };
        const re = /([a-zA-Z][\w-]*)|\.([\w-]+)|#([\w-]+)|\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]|(\*)/g;
        let consumed = 0;
        for (let m = re.exec(compound); m; m = re.exec(compound)) {
          if (m.index !== consumed) break;
          consumed = re.lastIndex;
          if (m[1]) parsed.tag = m[1].toLowerCase();
          else if (m[2]) parsed.classes.push(m[2]);
          else if (m[3]) parsed.id = m[3];
          else if (m[4]) parsed.attributes.push({ name: m[4], value: m[5] });
        }
        if (consumed !== compound.length) throw new Error(`mini-dom: unsupported selector "${selector}"`);
        return parsed;
      }),
  );
}

function matchesSimple(el: MiniElement, s: SimpleSelector): boolean {
  if (s.tag && el.localName.toLowerCase() !== s.tag) return false;
  if (s.id && el.getAttribute("id") !== s.id) return false;
  const classes = (el.getAttribute("class") ?? "").split(/\s+/);
  if (!s.classes.every((c) => classes.includes(c))) return false;
  return s.attributes.every((a) => (a.value === undefined ? el.hasAttribute(a.name) : el.getAttribute(a.name) === a.value));
}

function matchesChain(el: MiniElement, chain: SimpleSelector[], scope: MiniElement): boolean {
  if (!matchesSimple(el, chain[chain.length - 1])) return false;
  let i = chain.length - 2;
  for (let p = el.parentNode; i >= 0 && p && p !== scope.parentNode; p = p.parentNode) if (matchesSimple(p, chain[i])) i--;
  return i < 0;
}

/** An element (HTML or SVG). */
export class MiniElement extends MiniNode {
  readonly nodeType = 1;
  readonly attributes = new Map<string, string>();
  childNodes: MiniNode[] = [];
  readonly style: Record<string, unknown>;
  readonly localName: string;
  readonly namespaceURI: string;
  /** d3 keeps its bound data (__data__) and other state as expando properties. */
  [expando: string]: unknown;

  constructor(ownerDocument: MiniDocument, namespaceURI: string, name: string) {
    super(ownerDocument);
    this.namespaceURI = namespaceURI;
    this.localName = name;
    this.style = createStyle(this);
  }
  get tagName(): string {
    return this.namespaceURI === XHTML ? this.localName.toUpperCase() : this.localName;
  }
  get nodeName(): string {
    return this.tagName;
  }
  get children(): MiniElement[] {
    return this.childNodes.filter((n): n is MiniElement => n instanceof MiniElement);
  }
  get firstChild(): MiniNode | null {
    return this.childNodes[0] ?? null;
  }
  get lastChild(): MiniNode | null {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }
  get firstElementChild(): MiniElement | null {
    return this.children[0] ?? null;
  }
  get className(): string {
    return this.getAttribute("class") ?? "";
  }
  set className(value: string) {
    this.setAttribute("class", value);
  }
  get id(): string {
    return this.getAttribute("id") ?? "";
  }
  get textContent(): string {
    return this.childNodes.map((n) => n.textContent).join("");
  }
  set textContent(value: string | null) {
    for (const child of this.childNodes) child.parentNode = null;
    this.childNodes = value === null || value === undefined || value === "" ? [] : [this.adopt(new MiniText(this.ownerDocument, String(value)))];
  }
  private adopt<T extends MiniNode>(node: T): T {
    node.parentNode?.removeChild(node);
    node.parentNode = this;
    return node;
  }
  setAttribute(name: string, value: unknown): void {
    this.attributes.set(name, String(value));
  }
  setAttributeNS(_ns: string | null, name: string, value: unknown): void {
    this.setAttribute(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  getAttributeNS(_ns: string | null, name: string): string | null {
    return this.getAttribute(name);
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  removeAttributeNS(_ns: string | null, name: string): void {
    this.removeAttribute(name);
  }
  appendChild<T extends MiniNode>(node: T): T {
    this.childNodes.push(this.adopt(node));
    return node;
  }
  append(...nodes: (MiniNode | string)[]): void {
    for (const n of nodes) this.appendChild(typeof n === "string" ? new MiniText(this.ownerDocument, n) : n);
  }
  insertBefore<T extends MiniNode>(node: T, reference: MiniNode | null): T {
    if (reference === null) return this.appendChild(node);
    this.adopt(node);
    const i = this.childNodes.indexOf(reference);
    if (i < 0) throw new Error("mini-dom: insertBefore reference is not a child");
    this.childNodes.splice(i, 0, node);
    return node;
  }
  removeChild<T extends MiniNode>(node: T): T {
    const i = this.childNodes.indexOf(node);
    if (i < 0) throw new Error("mini-dom: removeChild of a node that is not a child");
    this.childNodes.splice(i, 1);
    node.parentNode = null;
    return node;
  }
  querySelectorAll(selector: string): MiniElement[] {
    const chains = parseSelector(selector);
    const found: MiniElement[] = [];
    const walk = (el: MiniElement) => {
      for (const child of el.children) {
        if (chains.some((chain) => matchesChain(child, chain, this))) found.push(child);
        walk(child);
      }
    };
    walk(this);
    return found;
  }
  querySelector(selector: string): MiniElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
  matches(selector: string): boolean {
    return parseSelector(selector).some((chain) => matchesChain(this, chain, this));
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(): boolean {
    return true;
  }
  serialize(): string {
    const attrs = [...this.attributes].map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join("");
    const open = `<${this.localName}${attrs}>`;
    if (this.namespaceURI === XHTML && VOID.has(this.localName)) return open;
    return `${open}${this.childNodes.map((n) => n.serialize()).join("")}</${this.localName}>`;
  }
  get outerHTML(): string {
    return this.serialize();
  }
  get innerHTML(): string {
    return this.childNodes.map((n) => n.serialize()).join("");
  }
}

/** A document to pass as Plot's `document` option. */
export class MiniDocument {
  readonly documentElement: MiniElement;
  /** Plot dispatches an "input" event on interactive figures; events are ignored here. */
  readonly defaultView = { Event: class MiniEvent {} };
  constructor() {
    this.documentElement = new MiniElement(this, XHTML, "html");
  }
  createElement(name: string): MiniElement {
    return new MiniElement(this, XHTML, name.toLowerCase());
  }
  createElementNS(namespace: string | null, name: string): MiniElement {
    return new MiniElement(this, namespace ?? XHTML, name);
  }
  createTextNode(data: string): MiniText {
    return new MiniText(this, String(data));
  }
  querySelector(selector: string): MiniElement | null {
    return this.documentElement.matches(selector) ? this.documentElement : this.documentElement.querySelector(selector);
  }
}
