// A small dependency-free JSON Schema (2020-12) checker for the keywords models/schema.json uses:
// type, properties, required, additionalProperties, items, minItems, maxItems, enum, const,
// minimum, exclusiveMinimum, maximum, exclusiveMaximum, minLength, uniqueItems, $ref (to "#/$defs/..."), anyOf, dependentRequired. Any other
// keyword is an error, so the schema cannot silently use something this checker ignores.
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs']);
const KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'enum', 'const',
  'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'minLength', 'uniqueItems', '$ref', 'anyOf', 'dependentRequired']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v, type) {
  const t = typeOf(v);
  return t === type || (type === 'number' && t === 'integer');
}

const equal = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Check `value` against `schema`. Returns a list of "path: problem" strings (empty = valid).
 * @param {object} schema the root schema (for $ref)
 */
export function checkSchema(schema, value) {
  const errors = [];
  const resolve = (ref) => {
    if (!ref.startsWith('#/$defs/')) throw new Error(`unsupported $ref ${ref}`);
    const target = schema.$defs?.[ref.slice('#/$defs/'.length)];
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    return target;
  };
  const visit = (s, v, path, out) => {
    for (const key of Object.keys(s)) {
      if (!ANNOTATIONS.has(key) && !KEYWORDS.has(key)) throw new Error(`schema keyword "${key}" at ${path} is not supported by the checker`);
    }
    if (s.$ref) visit(resolve(s.$ref), v, path, out);
    if (s.anyOf) {
      const ok = s.anyOf.some((sub) => { const e = []; visit(sub, v, path, e); return e.length === 0; });
      if (!ok) out.push(`${path}: matches none of the allowed forms`);
    }
    if (s.const !== undefined && !equal(s.const, v)) out.push(`${path}: must be ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.some((e) => equal(e, v))) out.push(`${path}: must be one of ${JSON.stringify(s.enum)}`);
    if (s.type) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => hasType(v, t))) { out.push(`${path}: must be ${types.join(' or ')}, got ${typeOf(v)}`); return; }
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && !(v >= s.minimum)) out.push(`${path}: must be >= ${s.minimum}`);
      if (s.exclusiveMinimum !== undefined && !(v > s.exclusiveMinimum)) out.push(`${path}: must be > ${s.exclusiveMinimum}`);
      if (s.maximum !== undefined && !(v <= s.maximum)) out.push(`${path}: must be <= ${s.maximum}`);
      if (s.exclusiveMaximum !== undefined && !(v < s.exclusiveMaximum)) out.push(`${path}: must be < ${s.exclusiveMaximum}`);
    }
    if (typeof v === 'string' && s.minLength !== undefined && v.length < s.minLength) out.push(`${path}: too short`);
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) out.push(`${path}: needs at least ${s.minItems} items`);
      if (s.maxItems !== undefined && v.length > s.maxItems) out.push(`${path}: needs at most ${s.maxItems} items`);
      if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) out.push(`${path}: items must be unique`);
      if (s.items) v.forEach((x, i) => visit(s.items, x, `${path}[${i}]`, out));
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const key of s.required ?? []) if (!(key in v)) out.push(`${path}.${key}: is required`);
      for (const [key, needed] of Object.entries(s.dependentRequired ?? {})) {
        if (key in v) for (const other of needed) if (!(other in v)) out.push(`${path}.${other}: is required with ${key}`);
      }
      for (const [key, x] of Object.entries(v)) {
        if (s.properties && key in s.properties) visit(s.properties[key], x, `${path}.${key}`, out);
        else if (s.additionalProperties === false) out.push(`${path}.${key}: is not in the schema`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(s.additionalProperties, x, `${path}.${key}`, out);
      }
    }
  };
  visit(schema, value, '$', errors);
  return errors;
}
