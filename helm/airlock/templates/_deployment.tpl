{{/*
One app's Deployment. Call with (dict "root" $ "component" "api" "app" .Values.api "command" (list …)
"portEnv" "PORT" "env" <YAML list of extra env entries> "serviceAccount" <name or ""> "hpa" <bool>).
*/}}
{{- define "airlock.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "airlock.fullname" $root }}-{{ .component }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "airlock.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if not .hpa }}
  replicas: {{ .app.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "airlock.selectorLabels" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "airlock.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      annotations:
        {{- include "airlock.podAnnotations" $root | nindent 8 }}
    spec:
      {{- if .serviceAccount }}
      serviceAccountName: {{ .serviceAccount }}
      automountServiceAccountToken: true
      {{- else }}
      automountServiceAccountToken: false
      {{- end }}
      securityContext:
        {{- include "airlock.podSecurityContext" $root | nindent 8 }}
      {{- with (include "airlock.scheduling" (dict "root" $root "app" .app) | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "airlock.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command:
            {{- toYaml .command | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ include "airlock.fullname" $root }}-config
          env:
            - name: {{ .portEnv }}
              value: {{ .app.port | toString | quote }}
            {{- include "airlock.secretEnv" $root | nindent 12 }}
            {{- with (include "airlock.envMap" .app.env | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: {{ .app.port }}
              protocol: TCP
          {{- include "airlock.probes" .app.probes | nindent 10 }}
          resources:
            {{- toYaml .app.resources | nindent 12 }}
          securityContext:
            {{- include "airlock.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            {{- include "airlock.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "airlock.volumes" $root | nindent 8 }}
{{- end -}}
