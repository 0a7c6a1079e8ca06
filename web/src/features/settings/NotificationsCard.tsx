import { useEffect, useState, type FormEvent } from "react";
import { Bell, Loader2, RefreshCw, Save, Send } from "lucide-react";
import { useDeliveries, useNotifications, useSaveNotifications, useTestNotification } from "@/api/queries";
import type { Delivery, NotifyEvent } from "@/api/models";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { EmptyRow, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/format";
import { ErrorAlert } from "@/components/ErrorAlert";

export const EVENT_LABELS: Record<NotifyEvent, string> = {
  run_executed: "A rebalance ran",
  risk_blocked: "A rebalance was needed but risk controls blocked it",
  order_rejected: "The broker rejected an order",
  drift_past_band: "Drift passed a band (scheduled dry runs)",
  broker_failing: "The broker connection is failing",
};

export function validateEmail(raw: string): string | null {
  if (raw.trim() === "") return null;
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw.trim()) ? null : "Enter an email address, e.g. me@example.com.";
}

export function validateWebhookUrl(raw: string): string | null {
  if (raw.trim() === "") return null;
  return /^https?:\/\/[^\s/]+/.test(raw.trim()) ? null : "Enter an http:// or https:// URL.";
}

const STATUS_TONE: Record<Delivery["status"], "buy" | "danger" | "warning" | "neutral"> = {
  delivered: "buy",
  failed: "danger",
  retrying: "warning",
  pending: "neutral",
  sending: "neutral",
};

/** Which events to be told about, by email and/or signed webhook; the delivery log. */
export function NotificationsCard() {
  const prefs = useNotifications();
  const deliveries = useDeliveries();
  const save = useSaveNotifications();
  const test = useTestNotification();
  const { notify } = useToast();
  const [events, setEvents] = useState<string[]>([]);
  const [email, setEmail] = useState("");
  const [webhookUrl, setWebhookUrl] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  // Set with the saved values, in the same render: the form opens already filled.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!prefs.data) return;
    setEvents(prefs.data.events);
    setEmail(prefs.data.email ?? "");
    setWebhookUrl(prefs.data.webhook_url ?? "");
    setFilled(true);
  }, [prefs.data]);

  const errors = { email: validateEmail(email), webhook: validateWebhookUrl(webhookUrl) };
  const valid = !errors.email && !errors.webhook;

  function submit(event: FormEvent, rotate = false) {
    event.preventDefault();
    setTouched(true);
    if (!valid) return;
    save.mutate(
      { events: events as NotifyEvent[], email: email.trim(), webhook_url: webhookUrl.trim(), rotate_secret: rotate },
      {
        onSuccess: (data) => {
          setSecret(data.webhook_secret);
          notify({ title: "Notifications saved" });
        },
      },
    );
  }

  function toggle(name: string, on: boolean) {
    setEvents((current) => (on ? [...current, name] : current.filter((e) => e !== name)));
  }

  const rows = deliveries.data?.deliveries ?? [];
  return (
    <Card aria-labelledby="notifications-title">
      <CardHeader>
        <div>
          <CardTitle id="notifications-title">Notifications</CardTitle>
          <CardDescription>
            Be told what trimtab did, by email and by a signed webhook (HMAC-SHA256 in <code className="rounded bg-slate-100 px-1 font-mono text-xs">Trimtab-Signature</code>).
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-4">
        <form onSubmit={(e) => submit(e)} noValidate>
          {/* Disabled until the saved preferences fill it: typing earlier would be overwritten by
              them (the render in which they arrive comes before the one that fills the fields). */}
          <fieldset disabled={!filled} aria-busy={!filled} className="space-y-4">
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">Tell me when</legend>
              {(prefs.data?.available_events ?? Object.keys(EVENT_LABELS)).map((name) => (
                <label key={name} className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    className="size-4 rounded border-slate-300"
                    checked={events.includes(name)}
                    onChange={(e) => toggle(name, e.target.checked)}
                  />
                  {EVENT_LABELS[name as NotifyEvent] ?? name}
                </label>
              ))}
            </fieldset>
            <div className="grid gap-4 sm:grid-cols-2">
              <TextField
                label="Email address"
                type="email"
                value={email}
                onChange={setEmail}
                placeholder="e.g. me@example.com"
                error={touched ? errors.email : null}
                hint={
                  prefs.data && !prefs.data.email_available ? (
                    <span className="text-amber-800">The server has no TRIMTAB_SMTP_URL: email is not sent.</span>
                  ) : null
                }
              />
              <TextField
                label="Webhook URL"
                type="url"
                value={webhookUrl}
                onChange={setWebhookUrl}
                placeholder="e.g. https://example.com/hooks/trimtab"
                error={touched ? errors.webhook : null}
                hint={prefs.data?.webhook_secret_set ? "A signing secret is set." : null}
              />
            </div>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={save.isPending || prefs.isLoading}>
                {save.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Save aria-hidden />}
                Save notifications
              </Button>
              {prefs.data?.webhook_secret_set && (
                <Button type="button" variant="outline" disabled={save.isPending} onClick={(e) => submit(e, true)}>
                  <RefreshCw aria-hidden />
                  New signing secret
                </Button>
              )}
              <Button
                type="button"
                variant="outline"
                disabled={test.isPending}
                onClick={() =>
                  test.mutate(undefined, {
                    onSuccess: (list) =>
                      notify({
                        title: "Test sent",
                        description: list.deliveries.map((d) => `${d.channel}: ${d.status}`).join(", "),
                      }),
                  })
                }
              >
                {test.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Send aria-hidden />}
                Send a test
              </Button>
            </div>
          </fieldset>
        </form>
        <ErrorAlert error={save.error ?? test.error ?? prefs.error} />
        {secret && (
          <Alert tone="success" title="Webhook signing secret">
            <p>Copy it now: it will not be shown again. Verify each POST with it (docs/notifications.md).</p>
            <code className="mt-2 block truncate rounded-md border border-emerald-200 bg-white px-2 py-1.5 font-mono text-xs text-slate-900" data-testid="webhook-secret">
              {secret}
            </code>
          </Alert>
        )}
        <Table aria-label="Notification deliveries" data-testid="deliveries-table">
          <TableCaption>Notification deliveries (latest 10)</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>When</TableHead>
              <TableHead>Event</TableHead>
              <TableHead>Channel</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Attempts</TableHead>
              <TableHead>Detail</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.length === 0 && (
              <EmptyRow colSpan={6} className="py-6">
                <Bell className="mr-1 inline size-4" aria-hidden />
                {deliveries.isLoading ? "Loading…" : "Nothing sent yet."}
              </EmptyRow>
            )}
            {rows.map((d) => (
              <TableRow key={d.id}>
                <TableCell className="text-slate-700">{formatDateTime(d.created_at)}</TableCell>
                <TableCell>{d.event}</TableCell>
                <TableCell>{d.channel}</TableCell>
                <TableCell>
                  <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                </TableCell>
                <TableCell>{d.attempts}</TableCell>
                <TableCell className="max-w-64 truncate text-slate-700" title={d.error ?? undefined}>
                  {d.status_code ? `HTTP ${d.status_code}` : ""}
                  {d.error ? ` ${d.error}` : ""}
                  {d.next_retry_at ? ` · next try ${formatDateTime(d.next_retry_at)}` : ""}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
