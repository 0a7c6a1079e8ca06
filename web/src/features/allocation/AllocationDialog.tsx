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
  /** The symbol's own band in pp; null: the default band from Settings. */
  band_percent: number | null;
  /** The symbol's own band as a percent of its target; null: none. */
  band_relative_percent: number | null;
}

interface Editing {
  symbol: string;
  target_percent: number;
  band_percent?: number | null;
  band_relative_percent?: number | null;
}

/** An optional band field: blank is "use the default"; otherwise above 0 and at most 100. */
function parseBand(text: string): { value: number | null; error: string | null } {
  if (text.trim() === "") return { value: null, error: null };
  const value = Number(text.trim());
  if (!Number.isFinite(value) || value <= 0 || value > 100) {
    return { value: null, error: "Enter a number above 0 and at most 100, or leave it blank." };
  }
  return { value, error: null };
}

interface AllocationDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Editing an existing target when given; adding a new one otherwise. */
  editing?: Editing | null;
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
  const ids = { symbol: useId(), percent: useId(), symbolErr: useId(), percentErr: useId(), band: useId(), relative: useId(), bandErr: useId() };
  const [symbol, setSymbol] = useState("");
  const [percent, setPercent] = useState("");
  const [band, setBand] = useState("");
  const [relative, setRelative] = useState("");
  const [errors, setErrors] = useState<{ symbol?: string | null; percent?: string | null; band?: string | null; form?: string | null }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setSymbol(editing?.symbol ?? "");
      setPercent(editing ? String(editing.target_percent) : "");
      setBand(editing?.band_percent != null ? String(editing.band_percent) : "");
      setRelative(editing?.band_relative_percent != null ? String(editing.band_relative_percent) : "");
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
    const bandPp = parseBand(band);
    const bandRelative = parseBand(relative);
    const bandError = bandPp.error ?? bandRelative.error;
    setErrors({ symbol: symbolError, percent: percentError, band: bandError });
    if (symbolError || percentError || bandError) return;
    setBusy(true);
    try {
      if (!editing) {
        const problem = await assetProblem(sym, lookupAsset);
        if (problem) {
          setErrors({ symbol: problem });
          return;
        }
      }
      await onSubmit({
        symbol: sym,
        target_percent: percentNumber,
        band_percent: bandPp.value,
        band_relative_percent: bandRelative.value,
      });
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
          <fieldset className="space-y-1.5">
            <legend className="text-sm font-medium">Band (optional; blank uses the default from Settings)</legend>
            <div className="grid grid-cols-2 gap-3">
              <div className="space-y-1">
                <Label htmlFor={ids.band}>Band (pp)</Label>
                <Input
                  id={ids.band}
                  name="band_percent"
                  inputMode="decimal"
                  value={band}
                  onChange={(e) => setBand(e.target.value)}
                  placeholder="default"
                  aria-invalid={Boolean(errors.band)}
                  aria-describedby={errors.band ? ids.bandErr : undefined}
                  data-testid="allocation-band-input"
                />
              </div>
              <div className="space-y-1">
                <Label htmlFor={ids.relative}>Band (% of target)</Label>
                <Input
                  id={ids.relative}
                  name="band_relative_percent"
                  inputMode="decimal"
                  value={relative}
                  onChange={(e) => setRelative(e.target.value)}
                  placeholder="none"
                  aria-invalid={Boolean(errors.band)}
                  aria-describedby={errors.band ? ids.bandErr : undefined}
                  data-testid="allocation-band-relative-input"
                />
              </div>
            </div>
            <p className="text-xs text-slate-600">With both, the narrower acts (5 pp and 25 %: the 5/25 rule).</p>
            <FieldError id={ids.bandErr}>{errors.band}</FieldError>
          </fieldset>
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
