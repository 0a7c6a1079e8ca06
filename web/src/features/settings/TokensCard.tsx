import { useId, useState, type FormEvent } from "react";
import { Check, Copy, KeyRound, Loader2, Trash2 } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useCreateToken, useDeleteToken, useTokens } from "@/api/queries";
import type { ApiToken, CreatedToken } from "@/api/models";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EmptyRow, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/format";
import { ErrorAlert } from "@/components/ErrorAlert";

/** Personal API tokens for scripts and the CLI: create (secret shown once), list, revoke. */
export function TokensCard() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useDeleteToken();
  const { notify } = useToast();
  const nameId = useId();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const active = (tokens.data?.tokens ?? []).filter((t) => !t.revoked_at);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    create.mutate(name.trim(), {
      onSuccess: (token) => {
        setCreated(token);
        setCopied(false);
        setName("");
      },
    });
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      notify({ tone: "error", title: "Copy failed", description: "Select the token and copy it by hand." });
    }
  }

  return (
    <Card aria-labelledby="tokens-title">
      <CardHeader>
        <div>
          <CardTitle id="tokens-title">API tokens</CardTitle>
          <CardDescription>
            For scripts: send <code className="rounded bg-slate-100 px-1 font-mono text-xs">Authorization: Bearer &lt;token&gt;</code>.
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-4">
        <form onSubmit={submit} className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <div className="flex-1 space-y-1.5">
            <Label htmlFor={nameId}>Token name</Label>
            <Input id={nameId} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} data-testid="token-name" />
          </div>
          <Button type="submit" disabled={!name.trim() || create.isPending} data-testid="token-create">
            {create.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <KeyRound aria-hidden />}
            Create token
          </Button>
        </form>
        <ErrorAlert error={create.error} />
        {created && (
          <Alert tone="success" title={`Token “${created.name}” created`} data-testid="token-created">
            <p>Copy it now: it will not be shown again.</p>
            <div className="mt-2 flex items-center gap-2">
              <code className="min-w-0 flex-1 truncate rounded-md border border-emerald-200 bg-white px-2 py-1.5 font-mono text-xs text-slate-900" data-testid="token-secret">
                {created.token}
              </code>
              <Button size="sm" variant="outline" onClick={() => void copy()} aria-label="Copy token">
                {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
                {copied ? "Copied" : "Copy"}
              </Button>
            </div>
          </Alert>
        )}
        <Table data-testid="tokens-table" aria-label="API tokens">
          <TableCaption>Your API tokens</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead className="hidden sm:table-cell">Created</TableHead>
              <TableHead className="hidden md:table-cell">Last used</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {active.length === 0 && (
              <EmptyRow colSpan={4} className="py-6">
                {tokens.isLoading ? "Loading…" : tokens.error ? errorMessage(tokens.error) : "No tokens."}
              </EmptyRow>
            )}
            {active.map((t) => (
              <TableRow key={t.id} data-testid={`token-row-${t.id}`}>
                <TableCell className="font-medium">{t.name}</TableCell>
                <TableCell className="hidden text-slate-700 sm:table-cell">{formatDateTime(t.created_at)}</TableCell>
                <TableCell className="hidden text-slate-700 md:table-cell">
                  {t.last_used_at ? formatDateTime(t.last_used_at) : "Never"}
                </TableCell>
                <TableCell className="text-right">
                  <Button variant="ghostDanger" size="sm" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>
                    <Trash2 aria-hidden />
                    Revoke
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
      <Dialog open={revoking !== null} onOpenChange={(open) => !open && setRevoking(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Revoke “{revoking?.name}”?</DialogTitle>
            <DialogDescription>Scripts using this token stop working at once.</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              disabled={revoke.isPending}
              onClick={() =>
                revoking &&
                revoke.mutate(revoking.id, {
                  onSuccess: () => {
                    notify({ title: `Revoked “${revoking.name}”` });
                    setRevoking(null);
                  },
                  onError: (error) => notify({ tone: "error", title: "Could not revoke", description: errorMessage(error) }),
                })
              }
            >
              Revoke
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}
