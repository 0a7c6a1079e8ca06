import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { renderWithProviders, stubFetch } from "@/test/render";

const signedIn = { "GET /api/me": { user: { id: 1, email: "demo@trimtab.local" }, csrf_token: "t-1" } };

describe("App routes", () => {
  it("says an unknown address has no page instead of landing on Allocation", async () => {
    stubFetch(signedIn);
    renderWithProviders(<App />, { route: "/alocation" });
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByTestId("not-found")).toHaveTextContent("/alocation");
    expect(screen.getByRole("link", { name: "Go to Allocation" })).toHaveAttribute("href", "/allocation");
    expect(document.title).toMatch(/Page not found/);
  });
});
