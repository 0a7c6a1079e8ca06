/**
 * The one place the page talks to the trimtab API. Every request and answer type is
 * generated from the server's OpenAPI document (models.ts names them; docs/api.md).
 *
 * Auth is the session cookie (same origin). State-changing requests carry the CSRF
 * token from sign-in in X-CSRF-Token. A 401 anywhere sends the user to sign in.
 * Server-sent events (allocation_changed, run_started, run_finished, order_updated)
 * are read in events.ts.
 */
import { sentence } from "@/lib/format";
import type {
  AllocationList,
  BacktestBody,
  BacktestResult,
  PlanResult,
  Schedule,
  ScheduleUpdate,
  BrokerAccount,
  BrokerConnectBody,
  BrokerConnected,
  BrokerConnection,
  AllocationUpdate,
  ApiErrorBody,
  Asset,
  CheckResult,
  CreatedToken,
  DeliveryList,
  LoginRequest,
  LoginResponse,
  Me,
  NotificationPrefs,
  NotificationsUpdate,
  Portfolio,
  RiskStatus,
  RunAccepted,
  RunDetail,
  RunList,
  RunStatus,
  RunTrigger,
  TokenList,
  UserSettings,
  UserSettingsUpdate,
} from "./models";

export type { BacktestBody, BacktestResult, PlanResult, PolicyResult, Schedule, ScheduleUpdate } from "./models";
/** GET /api/runs filters; undefined: any. */
export interface RunFilters {
  dry_run?: boolean;
  trigger?: RunTrigger;
  status?: RunStatus;
}

const CSRF_KEY = "trimtab.csrf";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called on any 401; the app navigates to sign-in. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

// sessionStorage keeps the token across reloads of this tab only, like the cookie's
// session; it is not a secret on its own (the cookie is HttpOnly).
export function setCsrfToken(token: string | null): void {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

export function getCsrfToken(): string | null {
  return sessionStorage.getItem(CSRF_KEY);
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === "object" &&
    body !== null &&
    "error" in body &&
    typeof (body as ApiErrorBody).error?.message === "string"
  );
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const csrf = getCsrfToken();
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch {
    if (signal?.aborted) throw new ApiError(0, "cancelled", "Cancelled.");
    throw new ApiError(0, "network", "Cannot reach the trimtab server. Check that it is running.");
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/api/auth/")) unauthorizedHandler?.();
    if (isErrorBody(parsed)) {
      throw new ApiError(response.status, parsed.error.code, parsed.error.message);
    }
    throw new ApiError(response.status, "http_" + response.status, `Request failed (${response.status}).`);
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (body: LoginRequest) => request<LoginResponse>("POST", "/api/auth/login", body),
  logout: () => request<void>("POST", "/api/auth/logout"),
  /** Ends every signed-in page of this user (this one too); API tokens stay. */
  signOutEverywhere: () => request<{ revoked: number }>("DELETE", "/api/sessions"),
  me: () => request<Me>("GET", "/api/me"),

  allocations: () => request<AllocationList>("GET", "/api/allocations"),
  putAllocation: (symbol: string, body: AllocationUpdate) =>
    request<unknown>("PUT", `/api/allocations/${enc(symbol)}`, body),
  deleteAllocation: (symbol: string) => request<void>("DELETE", `/api/allocations/${enc(symbol)}`),

  asset: (symbol: string) => request<Asset>("GET", `/api/assets/${enc(symbol)}`),
  portfolio: () => request<Portfolio>("GET", "/api/portfolio"),
  risk: () => request<RiskStatus>("GET", "/api/risk"),

  check: (dryRun: boolean, queueIfClosed = false) =>
    request<CheckResult>("POST", "/api/rebalance/check", {
      dry_run: dryRun,
      ...(queueIfClosed ? { queue_if_closed: true } : {}),
    }),
  /** A live run: answered at once (202); follow it with `run` and the event stream. */
  startRun: (queueIfClosed = false, symbols?: string[]) =>
    request<RunAccepted>("POST", "/api/rebalance/check", {
      dry_run: false,
      ...(queueIfClosed ? { queue_if_closed: true } : {}),
      ...(symbols ? { symbols } : {}),
    }),
  /** What a rebalance would do now; recorded nowhere (no run in the history). ``symbols``
   * limits trading to them (a partial rebalance). */
  plan: (symbols?: string[]) => request<PlanResult>("POST", "/api/rebalance/plan", symbols ? { symbols } : {}),
  runs: (limit?: number, offset = 0, filters: RunFilters = {}) => {
    const query = new URLSearchParams();
    if (limit) query.set("limit", String(limit));
    if (offset) query.set("offset", String(offset));
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, String(value));
    const search = query.toString();
    return request<RunList>("GET", search ? `/api/runs?${search}` : "/api/runs");
  },
  run: (id: string | number) => request<RunDetail>("GET", `/api/runs/${enc(String(id))}`),

  schedule: () => request<Schedule>("GET", "/api/schedule"),
  putSchedule: (body: ScheduleUpdate) => request<Schedule>("PUT", "/api/schedule", body),

  settings: () => request<UserSettings>("GET", "/api/settings"),
  putSettings: (body: UserSettingsUpdate) =>
    request<UserSettings>("PUT", "/api/settings", body),

  backtest: (body: BacktestBody, signal?: AbortSignal) =>
    request<BacktestResult>("POST", "/api/backtests", body, signal),
  broker: () => request<BrokerConnection>("GET", "/api/broker"),
  connectBroker: (body: BrokerConnectBody) => request<BrokerConnected>("PUT", "/api/broker", body),
  testBroker: () => request<BrokerAccount>("POST", "/api/broker/test"),
  disconnectBroker: () => request<BrokerConnection>("DELETE", "/api/broker"),

  tokens: () => request<TokenList>("GET", "/api/tokens"),
  createToken: (name: string) => request<CreatedToken>("POST", "/api/tokens", { name }),
  deleteToken: (id: string | number) => request<void>("DELETE", `/api/tokens/${enc(String(id))}`),
  notifications: () => request<NotificationPrefs>("GET", "/api/notifications"),
  putNotifications: (body: NotificationsUpdate) => request<NotificationPrefs>("PUT", "/api/notifications", body),
  deliveries: () => request<DeliveryList>("GET", "/api/notifications/deliveries?limit=10"),
  testNotification: () => request<DeliveryList>("POST", "/api/notifications/test"),
};

/** What went wrong, as a sentence ("wrong email or password" → "Wrong email or password."). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return sentence(error.message);
  return "Something went wrong.";
}
