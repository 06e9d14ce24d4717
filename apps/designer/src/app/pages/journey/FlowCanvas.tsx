import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
} from '@xyflow/react';
import { useEffect, useRef, useState } from 'react';
import type { StepChoice } from '../../nodes/context.js';
import { journeyNodeTypes } from '../../nodes/JourneyNodeCard.js';
import { journeyEdgeTypes } from '../../nodes/RoutedEdge.js';
import {
  DRAG_MIME,
  FAR_ZOOM,
  FIT_VIEW,
  MINIMAP_SIZE,
  MIN_ZOOM,
  legibleFit,
  minimapColour,
} from './canvas-model.js';
import type { JourneyCanvas } from './useJourneyCanvas.js';

/** The React Flow canvas: steps dropped from the palette, connections drawn, zoom controls and minimap. */
export function FlowCanvas({ canvas }: { canvas: JourneyCanvas }) {
  const flow = useReactFlow();
  const [showMinimap, setShowMinimap] = useState(true);
  // Changes only when the zoom crosses FAR_ZOOM, so zooming and panning do not re-render the editor.
  const [far, setFar] = useState(false);
  // The first look, once the steps are measured: the whole journey when it fits at a legible zoom, else
  // its top (the trigger) at that zoom, rather than every step shrunk past reading.
  const measured = useNodesInitialized();
  const opened = useRef(false);
  useEffect(() => {
    if (!measured || opened.current) return;
    opened.current = true;
    legibleFit(flow, canvas.wrapper.current, 0);
  }, [measured, flow, canvas.wrapper]);
  return (
    <div
      className={far ? 'canvas far' : 'canvas'}
      ref={canvas.wrapper}
      data-testid="canvas"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_MIME)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }
      }}
      onDrop={(e) => {
        const raw = e.dataTransfer.getData(DRAG_MIME);
        if (!raw) return;
        e.preventDefault();
        const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        canvas.addStep(JSON.parse(raw) as StepChoice, {
          x: Math.round(p.x - 120),
          y: Math.round(p.y - 20),
        });
      }}
    >
      <ReactFlow
        nodes={canvas.nodes}
        edges={canvas.edges}
        nodeTypes={journeyNodeTypes}
        edgeTypes={journeyEdgeTypes}
        onNodesChange={canvas.onNodesChange}
        onEdgesChange={canvas.onEdgesChange}
        onNodeDragStart={() => {
          canvas.dispatch({ type: 'checkpoint' });
          canvas.lanes.onDragStart();
        }}
        onNodeDragStop={canvas.lanes.onDragStop}
        onConnect={canvas.onConnect}
        onPaneClick={() => canvas.dispatch({ type: 'select', ids: [] })}
        onMove={(_, viewport) => setFar(viewport.zoom < FAR_ZOOM)}
        onInit={(instance) => setFar(instance.getZoom() < FAR_ZOOM)}
        deleteKeyCode={null}
        // Low enough that the fit-view control can show a whole large journey (500 steps span some
        // 17,000 px); React Flow clamps fitView to minZoom, so a higher floor would crop it.
        minZoom={MIN_ZOOM}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} fitViewOptions={FIT_VIEW}>
          <ControlButton
            onClick={() => setShowMinimap(!showMinimap)}
            title={showMinimap ? 'Hide the minimap' : 'Show the minimap'}
            aria-pressed={showMinimap}
            data-testid="toggle-minimap"
          >
            ▦
          </ControlButton>
        </Controls>
        {showMinimap && (
          <MiniMap
            pannable
            zoomable
            position="bottom-right"
            style={MINIMAP_SIZE}
            nodeColor={minimapColour}
            nodeBorderRadius={8}
            maskColor="rgb(244 244 245 / 0.7)"
            ariaLabel="Minimap of the journey"
            data-testid="minimap"
          />
        )}
      </ReactFlow>
    </div>
  );
}
