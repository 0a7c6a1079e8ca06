import { useEffect, useRef, useState, type HTMLAttributes, type ReactNode, type TdHTMLAttributes, type ThHTMLAttributes } from "react";
import { cn } from "@/lib/cn";

/** Whether the element's content is wider than it, and whether it is scrolled to the end. */
function useOverflowsX<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [state, setState] = useState({ overflows: false, atEnd: true });
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      const overflows = el.scrollWidth > el.clientWidth + 1;
      const atEnd = el.scrollLeft + el.clientWidth >= el.scrollWidth - 1;
      setState((s) => (s.overflows === overflows && s.atEnd === atEnd ? s : { overflows, atEnd }));
    };
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    el.addEventListener("scroll", measure, { passive: true });
    measure();
    return () => {
      observer.disconnect();
      el.removeEventListener("scroll", measure);
    };
  }, []);
  return [ref, state] as const;
}

// Fades the right edge while more columns are hidden there, hinting that the table scrolls.
const FADE_RIGHT = "linear-gradient(to right, black calc(100% - 2.5rem), transparent)";

/**
 * A table in a horizontally scrollable frame, so narrow screens scroll instead of
 * squashing. When it does scroll, the frame becomes a focusable, named region so
 * keyboard users can scroll it too. (`relative` keeps sr-only children inside it.)
 */
export function Table({ className, "aria-label": label, ...props }: HTMLAttributes<HTMLTableElement>) {
  const [ref, { overflows, atEnd }] = useOverflowsX<HTMLDivElement>();
  const fade = overflows && !atEnd ? FADE_RIGHT : undefined;
  return (
    <div
      ref={ref}
      style={{ maskImage: fade, WebkitMaskImage: fade }}
      className="relative w-full overflow-x-auto focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
      {...(overflows ? { tabIndex: 0, role: "region", "aria-label": `${label ?? "Table"} (scrolls sideways)` } : {})}
    >
      <table className={cn("w-full caption-bottom text-sm tabular-nums", className)} {...props} />
    </div>
  );
}

export function TableHeader({ className, ...props }: HTMLAttributes<HTMLTableSectionElement>) {
  return <thead className={cn("border-b border-slate-200 bg-slate-50/70", className)} {...props} />;
}

export function TableBody({ className, ...props }: HTMLAttributes<HTMLTableSectionElement>) {
  return <tbody className={cn("[&_tr:last-child]:border-0", className)} {...props} />;
}

export function TableRow({ className, ...props }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={cn("border-b border-slate-100 transition-colors", className)} {...props} />;
}

export function TableHead({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn("ui-th", className)}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("ui-td", className)} {...props} />;
}

export function TableCaption({ className, ...props }: HTMLAttributes<HTMLTableCaptionElement>) {
  return <caption className={cn("sr-only", className)} {...props} />;
}

/** The one row a table shows when it has no rows: a message across every column. */
export function EmptyRow({ colSpan, className, children }: { colSpan: number; className?: string; children: ReactNode }) {
  return (
    <TableRow>
      <TableCell colSpan={colSpan} className={cn("py-8 text-center text-slate-600", className)}>
        {children}
      </TableCell>
    </TableRow>
  );
}
