/**
 * App-wide toasts: `useToast().notify({title, description, tone})`.
 *
 * A small live region rather than Radix Toast, to keep the page within its weight
 * budget: the region announces successes politely, errors (role=alert) at once; each closes after a few seconds (longer while hovered or focused)
 * or with its button.
 */
import { AlertTriangle, CheckCircle2, X } from "lucide-react";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { cn } from "@/lib/cn";

interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  tone: "success" | "error";
}

interface ToastApi {
  notify: (message: Omit<ToastMessage, "id" | "tone"> & { tone?: ToastMessage["tone"] }) => void;
}

const ToastContext = createContext<ToastApi>({ notify: () => undefined });

export function useToast(): ToastApi {
  return useContext(ToastContext);
}

/** A success only confirms what the page already shows, so it leaves quickly and does
 * not sit over the numbers; an error stays until read (longer, and while hovered). */
const SUCCESS_MS = 3000;
const ERROR_MS = 10_000;
let nextId = 1;

function ToastItem({ message, onClose }: { message: ToastMessage; onClose: (id: number) => void }) {
  const [held, setHeld] = useState(false);
  const { id, tone } = message;
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => onClose(id), tone === "error" ? ERROR_MS : SUCCESS_MS);
    return () => clearTimeout(timer);
  }, [held, id, tone, onClose]);
  const error = message.tone === "error";
  return (
    <div
      role={error ? "alert" : undefined}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      className={cn(
        "pointer-events-auto flex items-start gap-3 rounded-xl border bg-white p-4 shadow-lg",
        error ? "border-red-200" : "border-emerald-200",
      )}
      data-testid="toast"
    >
      {error ? (
        <AlertTriangle className="mt-0.5 size-5 shrink-0 text-red-600" aria-hidden />
      ) : (
        <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden />
      )}
      <div className="min-w-0 flex-1">
        <p className="text-sm font-semibold text-slate-900">{message.title}</p>
        {message.description && <p className="mt-0.5 text-sm text-slate-700">{message.description}</p>}
      </div>
      <button
        type="button"
        onClick={() => onClose(id)}
        aria-label="Dismiss notification"
        className="rounded p-0.5 text-slate-500 hover:text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
      >
        <X className="size-4" aria-hidden />
      </button>
    </div>
  );
}

export function Toaster({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<ToastMessage[]>([]);
  const notify = useCallback<ToastApi["notify"]>((m) => {
    // At most three at once, the newest last.
    setMessages((list) => [...list.slice(-2), { id: nextId++, tone: "success", ...m }]);
  }, []);
  const close = useCallback((id: number) => setMessages((list) => list.filter((x) => x.id !== id)), []);
  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        aria-label="Notifications"
        role="region"
        aria-live="polite"
        className="pointer-events-none fixed bottom-4 right-4 z-[60] flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2"
      >
        {messages.map((m) => (
          <ToastItem key={m.id} message={m} onClose={close} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}
