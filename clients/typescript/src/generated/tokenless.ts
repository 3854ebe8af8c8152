// Generated from contract/*.openapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

/** The operations the contract says take no token (security: []), as "METHOD /path/{template}". */
export const tokenlessOperations: ReadonlySet<string> = new Set([
  "GET /.well-known/jwks.json",
  "GET /api/v1/auth/external/providers",
  "GET /api/v1/auth/external/{provider}/callback",
  "GET /api/v1/auth/external/{provider}/start",
  "GET /api/v1/waitlist/status",
  "POST /api/v1/auth/external/exchange",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/login/two-factor",
  "POST /api/v1/auth/password/forgot",
  "POST /api/v1/auth/password/reset",
  "POST /api/v1/auth/refresh",
  "POST /api/v1/auth/register",
  "POST /api/v1/auth/register/confirm",
  "POST /api/v1/waitlist",
  "POST /webhooks/stripe"
]);
