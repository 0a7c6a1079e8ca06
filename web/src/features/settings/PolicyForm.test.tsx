import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithProviders, stubFetch } from "@/test/render";
import { PolicyForm } from "./PolicyForm";

describe("PolicyForm", () => {
  it("loads, validates and saves the threshold and minimum trade", async () => {
    const calls = stubFetch({
      "GET /api/settings": {
        threshold_percent: "5",
        min_trade: "10",
        cash_buffer_percent: "0.5",
        untargeted: "leave",
        max_price_age_hours: 96,
      },
      "PUT /api/settings": (body: unknown) => ({ status: 200, body }),
    });
    renderWithProviders(<PolicyForm />);
    const threshold = screen.getByLabelText("Drift threshold (pp)");
    await waitFor(() => expect(threshold).toHaveValue("5"));
    await userEvent.clear(threshold);
    await userEvent.type(threshold, "0");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    // The server's bounds (PolicyBody in the OpenAPI document), not a copy of them.
    expect(await screen.findByText("Use a threshold above 0 pp and at most 100 pp.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await userEvent.clear(threshold);
    await userEvent.type(threshold, "60");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    calls.length = 0;

    await userEvent.clear(threshold);
    await userEvent.type(threshold, "3.5");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
        threshold_percent: 3.5,
        min_trade: 10,
        cash_buffer_percent: 0.5,
        untargeted: "leave",
        max_price_age_hours: 96,
      }),
    );
  });

  it("saves the untargeted-holdings policy and refuses a price age of 0", async () => {
    const calls = stubFetch({
      "GET /api/settings": { threshold_percent: 5, min_trade: 10, cash_buffer_percent: 0.25, untargeted: "leave", max_price_age_hours: 96 },
      "PUT /api/settings": (body: unknown) => ({ status: 200, body }),
    });
    renderWithProviders(<PolicyForm />);
    const age = screen.getByLabelText("Oldest usable price (hours)");
    await waitFor(() => expect(age).toHaveValue("96"));
    await userEvent.selectOptions(screen.getByLabelText("Holdings without a target"), "sell");
    await userEvent.clear(age);
    await userEvent.type(age, "0");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Use a price age above 0 hours and at most 720 hours.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    await userEvent.clear(age);
    await userEvent.type(age, "24");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
        threshold_percent: 5,
        min_trade: 10,
        cash_buffer_percent: 0.25,
        untargeted: "sell",
        max_price_age_hours: 24,
      }),
    );
  });

  it("drops an error as soon as the field holds a valid value", async () => {
    stubFetch({ "GET /api/settings": { threshold_percent: 5, min_trade: 10, cash_buffer_percent: 0.25, untargeted: "leave", max_price_age_hours: 96 } });
    renderWithProviders(<PolicyForm />);
    const threshold = screen.getByLabelText("Drift threshold (pp)");
    await waitFor(() => expect(threshold).toHaveValue("5"));
    await userEvent.clear(threshold);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Enter a number of percentage points/)).toBeInTheDocument();
    await userEvent.type(threshold, "4");
    expect(screen.queryByText(/Enter a number of percentage points/)).not.toBeInTheDocument();
    expect(threshold).toHaveAttribute("aria-invalid", "false");
  });
});
