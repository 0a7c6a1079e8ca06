import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { cn } from "@/lib/cn";
import { Input } from "./input";
import { FieldError, Label } from "./label";

/** A label above its control. */
export function Field({ id, label, children }: { id: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
    </div>
  );
}

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value" | "id"> {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  /** Shown under the input, which is then marked invalid and described by it. */
  error?: string | null;
  /** A line of help under the input (and its error). */
  hint?: ReactNode;
  /** A unit shown inside the input's right edge, e.g. "%". */
  suffix?: string;
}

/** A labelled text input with its error and hint wired for screen readers. */
export function TextField({ label, value, onChange, error, hint, suffix, className, ...input }: TextFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  const control = (
    <Input
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={Boolean(error)}
      aria-describedby={describedBy}
      className={cn(suffix && "pr-8", className)}
      {...input}
    />
  );
  return (
    <Field id={id} label={label}>
      {suffix ? (
        <div className="relative">
          {control}
          <span className="pointer-events-none absolute top-1/2 right-3 -translate-y-1/2 text-sm text-slate-500" aria-hidden>
            {suffix}
          </span>
        </div>
      ) : (
        control
      )}
      <FieldError id={errorId}>{error}</FieldError>
      {hint && (
        <p id={hintId} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
    </Field>
  );
}
