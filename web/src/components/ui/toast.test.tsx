import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useEffect } from "react";
import { Toaster, useToast } from "./toast";

function Notifier({ count, tone }: { count: number; tone?: "error" }) {
  const { notify } = useToast();
  useEffect(() => {
    for (let i = 1; i <= count; i++) notify({ title: `Note ${i}`, tone });
  }, [count, tone, notify]);
  return null;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("toasts", () => {
  it("let a success go after 3 s and keep at most three on screen", () => {
    render(
      <Toaster>
        <Notifier count={5} />
      </Toaster>,
    );
    expect(screen.getAllByTestId("toast").map((t) => t.textContent)).toEqual(["Note 3", "Note 4", "Note 5"]);
    act(() => vi.advanceTimersByTime(3100));
    expect(screen.queryAllByTestId("toast")).toHaveLength(0);
  });

  it("keep an error for 10 s", () => {
    render(
      <Toaster>
        <Notifier count={1} tone="error" />
      </Toaster>,
    );
    act(() => vi.advanceTimersByTime(9000));
    expect(screen.getByRole("alert")).toHaveTextContent("Note 1");
    act(() => vi.advanceTimersByTime(1100));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
