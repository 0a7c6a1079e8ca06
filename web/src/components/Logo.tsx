export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden>
      <rect width="32" height="32" rx="7" fill="#0f172a" />
      <path d="M16 6a10 10 0 1 0 10 10H16z" fill="#34d399" />
      <path d="M18 4v10h10A10 10 0 0 0 18 4z" fill="#60a5fa" />
    </svg>
  );
}
