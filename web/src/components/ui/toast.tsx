/** App-wide toasts on Radix Toast: `useToast().notify({title, description, tone})`. */
import * as ToastPrimitive from "@radix-ui/react-toast";
import { CheckCircle2, AlertTriangle, X } from "lucide-react";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
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

let nextId = 1;

export function Toaster({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<ToastMessage[]>([]);
  const notify = useCallback<ToastApi["notify"]>((m) => {
    setMessages((list) => [...list, { id: nextId++, tone: "success", ...m }]);
  }, []);
  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <ToastContext.Provider value={value}>
      <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
        {children}
        {messages.map((m) => (
          <ToastPrimitive.Root
            key={m.id}
            type={m.tone === "error" ? "foreground" : "background"}
            onOpenChange={(open) => {
              if (!open) setMessages((list) => list.filter((x) => x.id !== m.id));
            }}
            className={cn(
              "flex items-start gap-3 rounded-xl border bg-white p-4 shadow-lg",
              m.tone === "error" ? "border-red-200" : "border-emerald-200",
            )}
          >
            {m.tone === "error" ? (
              <AlertTriangle className="mt-0.5 size-5 shrink-0 text-red-600" aria-hidden />
            ) : (
              <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden />
            )}
            <div className="min-w-0 flex-1">
              <ToastPrimitive.Title className="text-sm font-semibold text-slate-900">{m.title}</ToastPrimitive.Title>
              {m.description && (
                <ToastPrimitive.Description className="mt-0.5 text-sm text-slate-700">
                  {m.description}
                </ToastPrimitive.Description>
              )}
            </div>
            <ToastPrimitive.Close aria-label="Dismiss" className="rounded p-0.5 text-slate-500 hover:text-slate-900">
              <X className="size-4" aria-hidden />
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        ))}
        <ToastPrimitive.Viewport className="fixed bottom-4 right-4 z-[60] flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2 outline-none" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}
