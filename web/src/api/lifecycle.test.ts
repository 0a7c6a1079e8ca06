import { describe, expect, it } from "vitest";
import { isOrderFinal, isRunInFlight } from "./lifecycle";

describe("the life cycle the server publishes", () => {
  it("counts a run awaiting fills as in flight, as the server does", () => {
    expect((["running", "awaiting_fills", "completed", "planned", "refused"] as const).map(isRunInFlight)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("knows which order statuses are final, ours included", () => {
    expect((["filled", "canceled", "skipped", "blocked", "accepted", "partially_filled", "planned"] as const).map(isOrderFinal)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
