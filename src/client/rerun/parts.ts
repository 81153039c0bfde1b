/**
 * Finding the rerun panel's server-rendered parts (src/components/RerunPanel.astro): elements
 * carry `data-part="name"`, repeated parts are `<template data-template="name">` whose nodes
 * carry `data-field="name"`.
 */

/**
 * The element `[data-part=name]` inside `root`.
 * @throws when the markup lacks it (the component and the script are out of step)
 */
export function part<T extends HTMLElement = HTMLElement>(root: ParentNode, name: string): T {
  const el = root.querySelector<T>(`[data-part="${name}"]`);
  if (!el) throw new Error(`the rerun panel's markup has no [data-part="${name}"]`);
  return el;
}

/**
 * A fresh copy of `<template data-template=name>`'s first element, and a lookup of its
 * `[data-field]` elements (the element itself included).
 * @throws when the template or a field asked for is missing
 */
export function fromTemplate<T extends Element = HTMLElement>(
  root: ParentNode,
  name: string,
): { node: T; field<F extends Element = HTMLElement>(name: string): F } {
  const template = root.querySelector<HTMLTemplateElement>(`template[data-template="${name}"]`);
  const node = template?.content.firstElementChild?.cloneNode(true) as T | undefined;
  if (!node) throw new Error(`the rerun panel's markup has no <template data-template="${name}">`);
  return {
    node,
    field<F extends Element = HTMLElement>(fieldName: string): F {
      const el = node.matches(`[data-field="${fieldName}"]`) ? node : node.querySelector(`[data-field="${fieldName}"]`);
      if (!el) throw new Error(`the rerun panel's template "${name}" has no [data-field="${fieldName}"]`);
      return el as F;
    },
  };
}
