import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithProviders, stubFetch } from "@/test/render";
import { NotificationsCard } from "./NotificationsCard";

const EVENTS = ["run_executed", "risk_blocked", "order_rejected", "drift_past_band", "broker_failing"];
const PREFS = {
  events: EVENTS,
  email: null,
  webhook_url: null,
  webhook_secret_set: false,
  email_available: true,
  webhook_secret: null,
  available_events: EVENTS,
};

describe("NotificationsCard", () => {
  it("keeps the form disabled until the saved preferences arrive, so nothing typed is overwritten", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    stubFetch({ "GET /api/notifications/deliveries?limit=10": { deliveries: [], total: 0 } });
    const stubbed = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input) !== "/api/notifications") return stubbed(input, init);
      await held;
      return new Response(JSON.stringify({ ...PREFS, webhook_url: "https://saved.example/h" }), { status: 200 });
    }) as typeof fetch;
    renderWithProviders(<NotificationsCard />);
    const url = screen.getByLabelText("Webhook URL");
    expect(url).toBeDisabled();
    expect(screen.getByLabelText("The broker rejected an order")).toBeDisabled();
    release();
    await waitFor(() => expect(url).toBeEnabled());
    expect(url).toHaveValue("https://saved.example/h");
  });

  it("validates, saves the chosen events and shows the new secret once", async () => {
    const calls = stubFetch({
      "GET /api/notifications": PREFS,
      "GET /api/notifications/deliveries?limit=10": {
        deliveries: [
          {
            id: 7,
            event: "run_executed",
            channel: "webhook",
            target: "https://hooks.example/t",
            status: "retrying",
            attempts: 2,
            status_code: 500,
            error: "HTTP 500",
            next_retry_at: null,
            created_at: "2026-11-30T12:00:00Z",
            delivered_at: null,
          },
        ],
        total: 1,
      },
      "PUT /api/notifications": (body: unknown) => ({
        status: 200,
        body: { ...PREFS, ...(body as object), webhook_secret_set: true, webhook_secret: "whsec_abc123" },
      }),
    });
    renderWithProviders(<NotificationsCard />);
    expect(await screen.findByText("HTTP 500 HTTP 500")).toBeInTheDocument();
    expect(screen.getByText("retrying")).toBeInTheDocument();

    const url = screen.getByLabelText("Webhook URL");
    await userEvent.type(url, "ftp://nope");
    await userEvent.click(screen.getByRole("button", { name: "Save notifications" }));
    expect(await screen.findByText("Enter an http:// or https:// URL.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await userEvent.clear(url);
    await userEvent.type(url, "https://hooks.example/t");
    await userEvent.click(screen.getByLabelText("The broker rejected an order"));
    await userEvent.click(screen.getByRole("button", { name: "Save notifications" }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
        events: ["run_executed", "risk_blocked", "drift_past_band", "broker_failing"],
        email: "",
        webhook_url: "https://hooks.example/t",
        rotate_secret: false,
      }),
    );
    expect(await screen.findByText("whsec_abc123")).toBeInTheDocument();
    // Typing a URL key by key is slow on a loaded machine.
  }, 30_000);
});
