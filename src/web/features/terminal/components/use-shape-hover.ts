/**
 * Which merged shape the pointer is over, for a drawing whose shapes are paths (model/shape-paths.ts):
 * the pointer's x in drawing units, looked up among the shapes. The drawing shows that shape's title.
 */
import { useState, type PointerEvent } from 'react';
import { shapeAt } from '../model/shape-paths.ts';

export function useShapeHover<S extends { x: number; width: number; title: string }>(shapes: readonly S[], width: number, slack = 0) {
  const [hovered, setHovered] = useState<S | null>(null);
  const onPointerMove = (e: PointerEvent<SVGSVGElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    setHovered(shapeAt(shapes, ((e.clientX - box.left) / box.width) * width, slack));
  };
  const onPointerLeave = (): void => setHovered(null);
  return { hovered: hovered && shapes.includes(hovered) ? hovered : null, onPointerMove, onPointerLeave };
}
