import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { allocation } from "@/test/fixtures";
import { SumStatus } from "./SumStatus";

describe("SumStatus", () => {
  it("confirms a 100% sum", () => {
    render(<SumStatus allocations={[allocation("SPY", 40), allocation("QQQ", 30), allocation("TLT", 20), allocation("GLD", 10)]} />);
    const status = screen.getByTestId("sum-status");
    expect(status).toHaveTextContent("Enabled targets sum to 100.00%");
    expect(status).toHaveTextContent("Ready to rebalance");
    expect(status).toHaveAttribute("role", "status");
  });

  it("warns how much is missing under 100%", () => {
    render(<SumStatus allocations={[allocation("SPY", 40), allocation("QQQ", 30), allocation("TLT", 20)]} />);
    const status = screen.getByTestId("sum-status");
    expect(status).toHaveAttribute("role", "alert");
    expect(status).toHaveTextContent("sum to 90.00%, not 100%: 10.00% missing");
  });

  it("warns how much is over 100%", () => {
    render(<SumStatus allocations={[allocation("SPY", 60), allocation("QQQ", 45.25)]} />);
    expect(screen.getByTestId("sum-status")).toHaveTextContent("sum to 105.25%, not 100%: 5.25% over");
  });

  it("counts only enabled targets", () => {
    render(<SumStatus allocations={[allocation("SPY", 60), allocation("QQQ", 40), allocation("GLD", 10, false)]} />);
    expect(screen.getByTestId("sum-status")).toHaveTextContent("100.00%");
    expect(screen.getByTestId("sum-status")).not.toHaveTextContent("over");
  });

  it("asks for targets when none are enabled", () => {
    render(<SumStatus allocations={[]} />);
    expect(screen.getByTestId("sum-status")).toHaveTextContent("No enabled targets yet");
  });
});
