import { useState } from "react";
import { Pencil, Plus, Trash2 } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useDeleteAllocation, useSaveAllocation } from "@/api/queries";
import type { Allocation } from "@/api/models";
import type { Num } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import { EmptyRow, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { cn } from "@/lib/cn";
import { formatMoney, formatPercent, toNumber } from "@/lib/format";
import { AllocationDialog } from "./AllocationDialog";
import { SumStatus } from "./SumStatus";

interface AllocationManagerProps {
  allocations: Allocation[];
  colors: Map<string, string>;
  portfolioValue: Num | null | undefined;
  loading?: boolean;
}

/** The target list: add (dialog), edit, enable/disable and remove, with the live sum. */
export function AllocationManager({ allocations, colors, portfolioValue, loading }: AllocationManagerProps) {
  const save = useSaveAllocation();
  const remove = useDeleteAllocation();
  const { notify } = useToast();
  const [dialog, setDialog] = useState<{ open: boolean; editing: Allocation | null }>({ open: false, editing: null });
  const [removing, setRemoving] = useState<Allocation | null>(null);

  const enabledTotal = (except?: string) =>
    allocations.filter((a) => a.enabled && a.symbol !== except).reduce((s, a) => s + toNumber(a.target_percent), 0);
  const value = toNumber(portfolioValue);

  async function toggle(allocation: Allocation, enabled: boolean) {
    try {
      await save.mutateAsync({ symbol: allocation.symbol, target_percent: toNumber(allocation.target_percent), enabled });
    } catch (error) {
      notify({ tone: "error", title: `Could not update ${allocation.symbol}`, description: errorMessage(error) });
    }
  }

  async function confirmRemove() {
    if (!removing) return;
    const symbol = removing.symbol;
    try {
      await remove.mutateAsync(symbol);
      notify({ title: `Removed ${symbol}` });
      setRemoving(null);
    } catch (error) {
      notify({ tone: "error", title: `Could not remove ${symbol}`, description: errorMessage(error) });
    }
  }

  return (
    <Card aria-labelledby="targets-title">
      <CardHeader>
        <div>
          <CardTitle id="targets-title">Target allocation</CardTitle>
          <CardDescription>What share of the portfolio each symbol should hold.</CardDescription>
        </div>
        <Button
          variant="outline"
          size="sm"
          onClick={() => setDialog({ open: true, editing: null })}
          data-testid="add-allocation"
        >
          <Plus aria-hidden />
          Add allocation
        </Button>
      </CardHeader>
      <CardContent className="space-y-3">
        <Table data-testid="allocations-table" aria-label="Target allocations">
          <TableCaption>Target allocations</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Symbol</TableHead>
              <TableHead className="text-right">Target</TableHead>
              <TableHead className="hidden text-right sm:table-cell">Target value</TableHead>
              <TableHead>Enabled</TableHead>
              <TableHead className="text-right">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {allocations.length === 0 && (
              <EmptyRow colSpan={5}>{loading ? "Loading targets…" : "No targets yet. Add one to start, e.g. SPY 40%."}</EmptyRow>
            )}
            {allocations.map((a) => {
              const pct = toNumber(a.target_percent);
              return (
                <TableRow key={a.symbol} data-testid={`allocation-row-${a.symbol}`} className={cn(!a.enabled && "text-slate-500")}>
                  <TableCell className="font-semibold">
                    <span className="inline-flex items-center gap-2">
                      <span
                        className="size-2.5 rounded-full"
                        style={{ backgroundColor: a.enabled ? colors.get(a.symbol) : "#cbd5e1" }}
                        aria-hidden
                      />
                      <span className={cn(!a.enabled && "text-slate-500 line-through decoration-slate-400")}>{a.symbol}</span>
                      {!a.enabled && <span className="sr-only text-xs font-normal text-slate-600 sm:not-sr-only">(disabled)</span>}
                    </span>
                  </TableCell>
                  <TableCell className={cn("text-right", !a.enabled && "text-slate-600")}>{formatPercent(pct)}</TableCell>
                  <TableCell className={cn("hidden text-right sm:table-cell", !a.enabled ? "text-slate-600" : "text-slate-700")}>
                    {Number.isFinite(value) && a.enabled ? formatMoney((pct / 100) * value) : "—"}
                  </TableCell>
                  <TableCell>
                    <Switch
                      checked={a.enabled}
                      onCheckedChange={(checked) => void toggle(a, checked)}
                      aria-label={`${a.enabled ? "Disable" : "Enable"} ${a.symbol}`}
                      data-testid={`allocation-toggle-${a.symbol}`}
                    />
                  </TableCell>
                  <TableCell className="text-right">
                    <div className="inline-flex sm:gap-1">
                      <Button
                        variant="ghost"
                        size="iconSm"
                        aria-label={`Edit ${a.symbol}`}
                        onClick={() => setDialog({ open: true, editing: a })}
                        data-testid={`allocation-edit-${a.symbol}`}
                      >
                        <Pencil aria-hidden />
                      </Button>
                      <Button
                        variant="ghostDanger"
                        size="iconSm"
                        aria-label={`Remove ${a.symbol}`}
                        onClick={() => setRemoving(a)}
                        data-testid={`allocation-remove-${a.symbol}`}
                      >
                        <Trash2 aria-hidden />
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
        {!loading && <SumStatus allocations={allocations} />}
      </CardContent>

      <AllocationDialog
        open={dialog.open}
        onOpenChange={(open) => setDialog((d) => ({ ...d, open }))}
        editing={
          dialog.editing
            ? {
                symbol: dialog.editing.symbol,
                target_percent: toNumber(dialog.editing.target_percent),
                band_percent: dialog.editing.band_percent == null ? null : toNumber(dialog.editing.band_percent),
                band_relative_percent:
                  dialog.editing.band_relative_percent == null ? null : toNumber(dialog.editing.band_relative_percent),
              }
            : null
        }
        existingSymbols={allocations.map((a) => a.symbol)}
        otherTotal={enabledTotal(dialog.editing?.symbol)}
        onSubmit={async ({ symbol, target_percent, band_percent, band_relative_percent }) => {
          // Every field goes back: a PUT replaces the row, so an omitted band would be wiped.
          await save.mutateAsync({
            symbol,
            target_percent,
            enabled: dialog.editing?.enabled ?? true,
            band_percent,
            band_relative_percent,
          });
          notify({ title: dialog.editing ? `Updated ${symbol}` : `Added ${symbol}`, description: `Target ${formatPercent(target_percent)}` });
        }}
      />

      <Dialog open={removing !== null} onOpenChange={(open) => !open && setRemoving(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Remove {removing?.symbol}?</DialogTitle>
            <DialogDescription>
              The target is deleted. No order is placed now; any shares you hold stay as they are.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={() => void confirmRemove()} disabled={remove.isPending} data-testid="confirm-remove">
              Remove
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}
