// Node 20 loads a JSON module only when it is imported `with {type: "json"}`;
// the workflow parser imports its schema without it. This hook adds it.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) {
    return nextLoad(url, { ...context, importAttributes: { type: "json" } });
  }
  return nextLoad(url, context);
}
