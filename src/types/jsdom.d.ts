/** The slice of jsdom's API the build uses (the project ships no @types/jsdom). */
declare module "jsdom" {
  export class JSDOM {
    constructor(html?: string);
    readonly window: Window & typeof globalThis;
  }
}
