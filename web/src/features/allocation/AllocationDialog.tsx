import { useEffect, useId, useState, type FormEvent } from "react";
import { Loader2 } from "lucide-react";
import { ApiError, api, errorMessage } from "@/api/client";
import type { Asset } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { FieldError, Label } from "@/components/ui/label";
import { formatPercent } from "@/lib/format";
import { normalizeSymbol, parsePercent, validatePercent, validateSymbol } from "@/lib/validation";

export interface AllocationFormValues {
  symbol: string;
  target_percent: number;
}

interface AllocationDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Editing an existing target when given; adding a new one otherwise. */
  editing?: { symbol: string; target_percent: number } | null;
  /** Symbols that already have a target (adding one of them again is refused). */
  existingSymbols: string[];
  /** Sum of the other enabled targets, to show what the total will become. */
  otherTotal: number;
  onSubmit: (values: AllocationFormValues) => Promise<void>;
  /** Looks the symbol up at the broker; injectable for tests. */
  lookupAsset?: (symbol: string) => Promise<Asset>;
}

/** Asks the broker whether the symbol exists and can be traded; returns a message when not. */
async function assetProblem(symbol: string, lookup: (s: string) => Promise<Asset>): Promise<string | null> {
  try {
    const asset = await lookup(symbol);
    if (!asset.tradable) {
      return `${symbol}${asset.name ? ` (${asset.name})` : ""} exists but is not tradable at your broker.`;
    }
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return `The broker doesn't know ${symbol}. Check the ticker (e.g. SPY, BRK.B).`;
    }
    throw error;
  }
}

export function AllocationDialog({
  open,
  onOpenChange,
  editing,
  existingSymbols,
  otherTotal,
  onSubmit,
  lookupAsset = api.asset,
}: AllocationDialogProps) {
  const ids = { symbol: useId(), percent: useId(), symbolErr: useId(), percentErr: useId() };
  const [symbol, setSymbol] = useState("");
  const [percent, setPercent] = useState("");
  const [errors, setErrors] = useState<{ symbol?: string | null; percent?: string | null; form?: string | null }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setSymbol(editing?.symbol ?? "");
      setPercent(editing ? String(editing.target_percent) : "");
      setErrors({});
      setBusy(false);
    }
  }, [open, editing]);

  const percentNumber = parsePercent(percent);
  const projected = Number.isFinite(percentNumber) ? otherTotal + percentNumber : null;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const sym = normalizeSymbol(symbol);
    const symbolError = editing ? null : validateSymbol(sym, existingSymbols);
    const percentError = validatePercent(percent);
    setErrors({ symbol: symbolError, percent: percentError });
    if (symbolError || percentError) return;
    setBusy(true);
    try {
      if (!editing) {
        const problem = await assetProblem(sym, lookupAsset);
        if (problem) {
          setErrors({ symbol: problem });
          return;
        }
      }
      await onSubmit({ symbol: sym, target_percent: percentNumber });
      onOpenChange(false);
    } catch (error) {
      setErrors({ form: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="allocation-dialog">
        <DialogHeader>
          <DialogTitle>{editing ? `Edit ${editing.symbol} target` : "Add allocation"}</DialogTitle>
          <DialogDescription>
            {editing
              ? "Change the share of the portfolio this symbol should hold."
              : "Choose a symbol your broker trades and the share of the portfolio it should hold."}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={handleSubmit} className="space-y-4">
          <div className="space-y-1.5">
            <Label htmlFor={ids.symbol}>Symbol</Label>
            <Input
              id={ids.symbol}
              name="symbol"
              value={symbol}
              onChange={(e) => setSymbol(e.target.value.toUpperCase())}
              placeholder="SPY"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={12}
              disabled={Boolean(editing)}
              aria-invalid={Boolean(errors.symbol)}
              aria-describedby={errors.symbol ? ids.symbolErr : undefined}
              data-testid="allocation-symbol-input"
            />
            <FieldError id={ids.symbolErr}>{errors.symbol}</FieldError>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={ids.percent}>Target percent</Label>
            <div className="relative">
              <Input
                id={ids.percent}
                name="target_percent"
                inputMode="decimal"
                value={percent}
                onChange={(e) => setPercent(e.target.value)}
                placeholder="40"
                className="pr-8"
                aria-invalid={Boolean(errors.percent)}
                aria-describedby={errors.percent ? ids.percentErr : undefined}
                data-testid="allocation-percent-input"
              />
              <span className="pointer-events-none absolute right-3 top-1/2 -translate-y-1/2 text-sm text-slate-500" aria-hidden>
                %
              </span>
            </div>
            <FieldError id={ids.percentErr}>{errors.percent}</FieldError>
            {projected !== null && !errors.percent && (
              <p className="text-sm text-slate-600" data-testid="projected-total">
                Enabled targets will total <span className="font-medium tabular-nums">{formatPercent(projected)}</span>
                {projected > 100.01 && <span className="font-medium text-amber-800"> ({formatPercent(projected - 100)} over 100%)</span>}.
              </p>
            )}
          </div>
          {errors.form && (
            <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {errors.form}
            </p>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={busy} data-testid="allocation-save">
              {busy && <Loader2 className="animate-spin" aria-hidden />}
              {editing ? "Save" : "Add allocation"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
