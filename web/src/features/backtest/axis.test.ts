import { describe, expect, it } from "vitest";
import { POLICY_COLORS, policyStroke, timeAxis } from "./axis";

/** Week days from `first` for `count` days, as YYYY-MM-DD. */
function weekdays(first: string, count: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); days.length < count; t += 86_400_000) {
    const day = new Date(t);
    if (day.getUTCDay() % 6 !== 0) days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

describe("timeAxis", () => {
  it("labels a three-month range by day, every label distinct", () => {
    const dates = weekdays("2018-01-02", 63);
    const axis = timeAxis(dates);
    expect(axis.ticks).toEqual(dates);
    expect(axis.ticks.slice(0, 3).map(axis.label)).toEqual(["Jan 2", "Jan 3", "Jan 4"]);
    expect(new Set(axis.ticks.map(axis.label)).size).toBe(dates.length);
  });
  it("adds the year to day labels when the range crosses one", () => {
    const axis = timeAxis(["2017-12-29", "2018-01-02"]);
    expect(axis.ticks.map(axis.label)).toEqual(["Dec 29 2017", "Jan 2 2018"]);
  });
  it("labels up to three years by month, from each month's first day", () => {
    const dates = weekdays("2017-11-15", 300);
    const axis = timeAxis(dates);
    expect(axis.ticks.slice(0, 3)).toEqual(["2017-11-15", "2017-12-01", "2018-01-01"]);
    expect(axis.ticks.slice(0, 3).map(axis.label)).toEqual(["Nov 2017", "Dec 2017", "Jan 2018"]);
    expect(new Set(axis.ticks.map(axis.label)).size).toBe(axis.ticks.length);
  });
  it("labels longer ranges by year", () => {
    const axis = timeAxis(["2000-01-03", "2000-06-01", "2001-01-02", "2003-12-31", "2004-01-02"]);
    expect(axis.ticks).toEqual(["2000-01-03", "2001-01-02", "2003-12-31", "2004-01-02"]);
    expect(axis.ticks.map(axis.label)).toEqual(["2000", "2001", "2003", "2004"]);
  });
});

describe("policyStroke", () => {
  it("gives the policies distinct colours, then dashes", () => {
    expect(new Set(POLICY_COLORS).size).toBe(POLICY_COLORS.length);
    expect(policyStroke(0)).toEqual({ stroke: "#1f77b4" });
    expect(policyStroke(4)).toEqual({ stroke: "#9467bd" });
    expect(policyStroke(10)).toEqual({ stroke: "#1f77b4", strokeDasharray: "6 3" });
  });
});
