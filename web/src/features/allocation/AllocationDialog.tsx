import { useEffect, useState, type FormEvent } from "react";
import { Loader2 } from "lucide-react";
import { ApiError, api, errorMessage } from "@/api/client";
import type { Asset } from "@/api/models";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { formatPercent, sentence } from "@/lib/format";
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

type FieldName = "symbol" | "percent" | "band" | "relative";
type Problems = Partial<Record<FieldName | "form", string | null>>;

/** The two optional bands: in percentage points, and as a percent of the target. */
const BAND_FIELDS = [
  { field: "band", label: "Band (pp)", name: "band_percent", testId: "allocation-band-input" },
  { field: "relative", label: "Band (% of target)", name: "band_relative_percent", testId: "allocation-band-relative-input" },
] as const;

/** The server names the field it refuses ("target_percent must be more than 0 %"):
 * such a message goes under that field, in the page's words. */
function serverProblem(error: unknown): Problems {
  if (!(error instanceof Error)) return { form: errorMessage(error) };
  const message = error.message;
  const fields: [string, FieldName][] = [
    ["target_percent", "percent"],
    ["band_percent", "band"],
    ["band_relative_percent", "relative"],
    ["symbol", "symbol"],
  ];
  for (const [name, field] of fields) {
    if (message.startsWith(`${name} `)) return { [field]: sentence(message.slice(name.length + 1)) };
  }
  return { form: sentence(message) };
}

/** Asks the broker whether the symbol exists and can be traded; returns a message when not. */
async function assetProblem(symbol: string, lookup: (s: string) => Promise<Asset>): Promise<string | null> {
  try {
    const asset = await lookup(symbol);
    if (!asset.tradable) {
      return `${symbol} exists but is not tradable at your broker.`;
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
  const [symbol, setSymbol] = useState("");
  const [percent, setPercent] = useState("");
  const [band, setBand] = useState("");
  const [relative, setRelative] = useState("");
  // Until the first save the fields are not judged; after it, as they are typed.
  const [tried, setTried] = useState(false);
  // What the broker or the server said about the values last sent: dropped once they change.
  const [answered, setAnswered] = useState<Problems>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setSymbol(editing?.symbol ?? "");
      setPercent(editing ? String(editing.target_percent) : "");
      setBand(editing?.band_percent != null ? String(editing.band_percent) : "");
      setRelative(editing?.band_relative_percent != null ? String(editing.band_relative_percent) : "");
      setTried(false);
      setAnswered({});
      setBusy(false);
    }
  }, [open, editing]);

  const sym = normalizeSymbol(symbol);
  const bandPp = parseBand(band);
  const bandRelative = parseBand(relative);
  const checked: Problems = {
    symbol: editing ? null : validateSymbol(sym, existingSymbols),
    percent: validatePercent(percent),
    band: bandPp.error,
    relative: bandRelative.error,
  };
  const problem = (field: FieldName) => (tried ? checked[field] : null) ?? answered[field] ?? null;
  const edit = (field: FieldName, set: (value: string) => void) => (value: string) => {
    set(value);
    setAnswered((a) => ({ ...a, [field]: null, form: null }));
  };

  const percentNumber = parsePercent(percent);
  const projected = Number.isFinite(percentNumber) ? otherTotal + percentNumber : null;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setAnswered({});
    if (checked.symbol || checked.percent || checked.band || checked.relative) return;
    setBusy(true);
    try {
      if (!editing) {
        const unknown = await assetProblem(sym, lookupAsset);
        if (unknown) {
          setAnswered({ symbol: unknown });
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
      setAnswered(serverProblem(error));
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
          <TextField
            label="Symbol"
            name="symbol"
            value={symbol}
            onChange={edit("symbol", (v) => setSymbol(v.toUpperCase()))}
            hint={editing ? undefined : "A ticker your broker trades, such as VTI or BRK.B."}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={12}
            disabled={Boolean(editing)}
            error={problem("symbol")}
            data-testid="allocation-symbol-input"
          />
          <div className="space-y-1.5">
            <TextField
              label="Target percent"
              name="target_percent"
              inputMode="decimal"
              value={percent}
              onChange={edit("percent", setPercent)}
              suffix="%"
              error={problem("percent")}
              data-testid="allocation-percent-input"
            />
            {projected !== null && !problem("percent") && (
              <p className="text-sm text-slate-600" data-testid="projected-total">
                Enabled targets will total <span className="font-medium tabular-nums">{formatPercent(projected)}</span>
                {projected > 100.01 && <span className="font-medium text-amber-800"> ({formatPercent(projected - 100)} over 100%)</span>}.
              </p>
            )}
          </div>
          <fieldset className="space-y-1.5">
            <legend className="text-sm font-medium">Band (optional; blank uses the default from Settings)</legend>
            <div className="grid grid-cols-2 gap-3">
              {BAND_FIELDS.map(({ field, label, name, testId }) => (
                <TextField
                  key={field}
                  label={label}
                  name={name}
                  inputMode="decimal"
                  value={field === "band" ? band : relative}
                  onChange={edit(field, field === "band" ? setBand : setRelative)}
                  error={problem(field)}
                  data-testid={testId}
                />
              ))}
            </div>
            <p className="text-xs text-slate-600">With both, the narrower acts (5 pp and 25%: the 5/25 rule).</p>
          </fieldset>
          {answered.form && (
            <p role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {answered.form}
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
