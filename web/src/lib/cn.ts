import { clsx, type ClassValue } from "clsx";

/**
 * Joins class names. Overrides need no merging: ui/ components keep their base
 * looks in the CSS components layer (index.css), below every utility.
 */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
