import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { RunStatus } from "@/api/models";
import { runSummary } from "@/test/fixtures";
import { renderWithProviders, stubFetch } from "@/test/render";
import { HistoryPage } from "./HistoryPage";

const run = runSummary;

describe("HistoryPage", () => {
  it("names each status the server records, a refused check as refused", async () => {
    const statuses: RunStatus[] = ["refused", "blocked_by_risk", "nothing_to_do", "partial", "awaiting_fills"];
    stubFetch({
      "GET /api/runs?limit=25": { runs: statuses.map((status, i) => run(i + 1, { status })), total: 5 },
    });
    renderWithProviders(<HistoryPage />);
    const shown = await Promise.all(statuses.map((_, i) => screen.findByTestId(`run-row-${i + 1}`)));
    expect(shown.map((row) => within(row).getByText(/./, { selector: "[data-status]" }).textContent)).toEqual([
      "Refused",
      "Blocked by risk",
      "Nothing to do",
      "Partly filled",
      "Awaiting fills",
    ]);
    expect(screen.getByText("Refused", { selector: "[data-status]" })).toHaveClass("text-red-800");
  });

  it("lists runs with trigger, status, drift before and orders, and pages to older ones", async () => {
    const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => run(from - i));
    const calls = stubFetch({
      "GET /api/runs?limit=25": { runs: [run(2, { trigger: "manual", dry_run: true, status: "planned", orders_count: 0 }), run(1), ...page(100, 23)], total: 30 },
      "GET /api/runs?limit=25&offset=25": { runs: [run(0), ...page(-1, 4)], total: 30 },
    });
    renderWithProviders(<HistoryPage />);
    const first = await screen.findByTestId("run-row-2");
    expect(first).toHaveTextContent("Manual");
    expect(first).toHaveTextContent("dry run");
    expect(first).toHaveTextContent("Planned");
    const second = screen.getByTestId("run-row-1");
    expect(second).toHaveTextContent("Scheduled");
    expect(second).toHaveTextContent("Completed");
    expect(second).toHaveTextContent("6.50 pp");
    expect(within(second).getByRole("link")).toHaveAttribute("href", "/history/1");
    await userEvent.click(screen.getByTestId("runs-more"));
    expect(await screen.findByTestId("run-row-0")).toBeInTheDocument();
    // Each page asks for 25 from an offset: never past the API's limit of 200.
    expect(calls.map((c) => c.path)).toContain("/api/runs?limit=25&offset=25");
    expect(screen.getAllByTestId(/^run-row-/)).toHaveLength(30);
    expect(screen.queryByTestId("runs-more")).not.toBeInTheDocument();
  });

  it("filters by live or dry, trigger and status through the API", async () => {
    const calls = stubFetch({
      "GET /api/runs?limit=25": { runs: [run(2, { dry_run: true, status: "planned" }), run(1)], total: 2 },
      "GET /api/runs?limit=25&dry_run=false": { runs: [run(1)], total: 1 },
      "GET /api/runs?limit=25&dry_run=false&trigger=scheduled&status=refused": { runs: [], total: 0 },
    });
    renderWithProviders(<HistoryPage />);
    await screen.findByTestId("run-row-2");
    await userEvent.selectOptions(screen.getByLabelText("Kind"), "Live runs");
    await waitFor(() => expect(screen.queryByTestId("run-row-2")).not.toBeInTheDocument());
    expect(screen.getByTestId("run-row-1")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Trigger"), "Scheduled");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "Refused");
    expect(await screen.findByText("No runs match these filters.")).toBeInTheDocument();
    expect(calls.map((c) => c.path)).toContain("/api/runs?limit=25&dry_run=false&trigger=scheduled&status=refused");
  });

  it("reads the filters from the address, so a reload keeps them", async () => {
    const calls = stubFetch({
      "GET /api/runs?limit=25&dry_run=false&status=refused": { runs: [run(1, { status: "refused" })], total: 1 },
    });
    renderWithProviders(<HistoryPage />, { route: "/history?kind=false&status=refused" });
    await screen.findByTestId("run-row-1");
    expect(screen.getByLabelText("Kind")).toHaveValue("false");
    expect(screen.getByLabelText("Status")).toHaveValue("refused");
    expect(calls.map((c) => c.path)).toEqual(["/api/runs?limit=25&dry_run=false&status=refused"]);
  });
});
