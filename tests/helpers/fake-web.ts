/**
 * In-memory stand-ins for the browser's Cache API and fetch, for tests of the dataset loaders.
 */

/** A CacheStorage holding Responses in Maps, with the methods the loaders use. */
export function fakeCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const cacheOf = (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    const keyOf = (key: string | Request) => (typeof key === "string" ? key : key.url);
    return {
      async match(key: string | Request) {
        return store.get(keyOf(key))?.clone();
      },
      async put(key: string | Request, response: Response) {
        store.set(keyOf(key), response);
      },
      async keys() {
        return [...store.keys()].map((url) => new Request(url));
      },
      async delete(key: string | Request) {
        return store.delete(keyOf(key));
      },
    };
  };
  const caches = {
    open: async (name: string) => cacheOf(name),
    delete: async (name: string) => stores.delete(name),
  } as unknown as CacheStorage;
  return { caches, stores };
}

/** A fetch serving `files` (by absolute URL) in chunks of `chunk` bytes, recording each request. */
export function fakeFetch(files: Map<string, Uint8Array | string>, chunk = 65_536) {
  const requests: string[] = [];
  let offline = false;
  const fetch = (async (input: string | URL) => {
    const url = String(input);
    requests.push(url);
    if (offline) throw new TypeError("Failed to fetch");
    const entry = files.get(url);
    if (entry === undefined) return new Response("missing", { status: 404, statusText: "Not Found" });
    const bytes = typeof entry === "string" ? new TextEncoder().encode(entry) : entry;
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    });
    return new Response(body, { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return {
    fetch,
    requests,
    setOffline(value: boolean) {
      offline = value;
    },
  };
}
