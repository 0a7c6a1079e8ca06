import { useEffect, useId, useState, type FormEvent } from "react";
import { CalendarClock, Loader2 } from "lucide-react";
import { errorMessage, type Schedule, type ScheduleUpdate } from "@/api/client";
import { useSaveSchedule, useSchedule } from "@/api/queries";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { ErrorAlert } from "@/components/ErrorAlert";

type Frequency = Schedule["frequency"];
type Weekday = NonNullable<Schedule["weekday"]>;

const FREQUENCIES: { value: Frequency; label: string }[] = [
  { value: "off", label: "Off" },
  { value: "daily", label: "Every trading day" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "cron", label: "Cron expression" },
];
const WEEKDAYS: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday"];

const newYork = new Intl.DateTimeFormat("en-US", {
  weekday: "short",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZone: "America/New_York",
  timeZoneName: "short",
});

/** "Fri, Nov 27, 10:00 AM EST" — schedules live in the exchange's time zone. */
export function formatNewYork(iso: string | null | undefined): string {
  return iso ? newYork.format(new Date(iso)) : "—";
}

const selectClass =
  "h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500";

/** When trimtab checks the portfolio by itself, and what it does then. */
export function ScheduleCard() {
  const schedule = useSchedule();
  const save = useSaveSchedule();
  const { notify } = useToast();
  const ids = { frequency: useId(), time: useId(), weekday: useId(), day: useId(), cron: useId(), cooldown: useId(), mode: useId() };
  const [draft, setDraft] = useState<Schedule | null>(null);

  useEffect(() => {
    if (schedule.data) setDraft(schedule.data);
  }, [schedule.data]);

  if (!draft) {
    return (
      <Card aria-labelledby="schedule-title">
        <CardHeader>
          <CardTitle id="schedule-title">Schedule</CardTitle>
        </CardHeader>
        <CardContent>
          <p className="text-sm text-slate-600">{schedule.error ? errorMessage(schedule.error) : "Loading…"}</p>
        </CardContent>
      </Card>
    );
  }

  const set = (change: Partial<Schedule>) => setDraft({ ...draft, ...change });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const body: ScheduleUpdate = {
      frequency: draft.frequency,
      time_of_day: draft.time_of_day,
      cooldown_minutes: draft.cooldown_minutes,
      mode: draft.mode,
      ...(draft.frequency === "weekly" ? { weekday: draft.weekday ?? "monday" } : {}),
      ...(draft.frequency === "monthly" ? { day_of_month: draft.day_of_month ?? 1 } : {}),
      ...(draft.frequency === "cron" ? { cron: draft.cron ?? "" } : {}),
    };
    save.mutate(body, {
      onSuccess: (saved) =>
        notify({
          title: "Schedule saved",
          description: saved.next_run_at ? `Next run ${formatNewYork(saved.next_run_at)}` : "Scheduled checks are off.",
        }),
    });
  }

  return (
    <Card aria-labelledby="schedule-title">
      <CardHeader>
        <div>
          <CardTitle id="schedule-title">Schedule</CardTitle>
          <CardDescription>
            trimtab checks the portfolio by itself, on trading days while the market is open (New York time).
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="space-y-4" data-testid="schedule-form">
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
            <div className="space-y-1.5">
              <Label htmlFor={ids.frequency}>Frequency</Label>
              <select id={ids.frequency} className={selectClass} value={draft.frequency} onChange={(e) => set({ frequency: e.target.value as Frequency })} data-testid="schedule-frequency">
                {FREQUENCIES.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            </div>
            {draft.frequency !== "cron" && (
              <div className="space-y-1.5">
                <Label htmlFor={ids.time}>Time (New York)</Label>
                <Input id={ids.time} type="time" value={draft.time_of_day} onChange={(e) => set({ time_of_day: e.target.value })} required data-testid="schedule-time" />
              </div>
            )}
            {draft.frequency === "weekly" && (
              <div className="space-y-1.5">
                <Label htmlFor={ids.weekday}>Day</Label>
                <select id={ids.weekday} className={selectClass} value={draft.weekday ?? "monday"} onChange={(e) => set({ weekday: e.target.value as Weekday })}>
                  {WEEKDAYS.map((d) => (
                    <option key={d} value={d}>
                      {d.charAt(0).toUpperCase() + d.slice(1)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {draft.frequency === "monthly" && (
              <div className="space-y-1.5">
                <Label htmlFor={ids.day}>Day of month</Label>
                <Input id={ids.day} type="number" min={1} max={31} value={draft.day_of_month ?? 1} onChange={(e) => set({ day_of_month: Number(e.target.value) })} />
              </div>
            )}
            {draft.frequency === "cron" && (
              <div className="space-y-1.5 sm:col-span-2">
                <Label htmlFor={ids.cron}>Cron (minute hour day month weekday)</Label>
                <Input id={ids.cron} value={draft.cron ?? ""} onChange={(e) => set({ cron: e.target.value })} placeholder="e.g. 30 10 * * 1-5" className="font-mono" />
              </div>
            )}
            <div className="space-y-1.5">
              <Label htmlFor={ids.mode}>When drift is past a band</Label>
              <select id={ids.mode} className={selectClass} value={draft.mode} onChange={(e) => set({ mode: e.target.value as Schedule["mode"] })} data-testid="schedule-mode">
                <option value="dry_run">Dry run and notify</option>
                <option value="rebalance">Rebalance (place orders)</option>
              </select>
            </div>
            <div className="space-y-1.5">
              <Label htmlFor={ids.cooldown}>Cooldown after a live run (minutes)</Label>
              <Input id={ids.cooldown} type="number" min={0} max={10080} value={draft.cooldown_minutes} onChange={(e) => set({ cooldown_minutes: Number(e.target.value) })} />
            </div>
          </div>
          <ErrorAlert error={save.error} />
          <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
            <p className="flex items-center gap-1.5 text-sm text-slate-700" data-testid="schedule-next-run">
              <CalendarClock className="size-4 shrink-0" aria-hidden />
              {schedule.data?.next_run_at ? <>Next run: {formatNewYork(schedule.data.next_run_at)}</> : "No scheduled run"}
              {schedule.data?.last_outcome && <> · last: {schedule.data.last_outcome}</>}
            </p>
            <Button type="submit" disabled={save.isPending} data-testid="schedule-save">
              {save.isPending && <Loader2 className="animate-spin" aria-hidden />}
              Save schedule
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
