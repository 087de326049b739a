{{/* Name prefix of every object: "<release>-airlock", or the release name when it already contains "airlock". */}}
{{- define "airlock.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "airlock.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "airlock.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "airlock.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Non-secret settings shared by every app: the ConfigMap's data (a YAML map of strings). */}}
{{- define "airlock.config" -}}
HOST: "0.0.0.0"
AIRLOCK_DATA_DIR: "/data"
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
DATABASE_POOL_SIZE: {{ .Values.config.databasePoolSize | quote }}
AIRLOCK_ARTIFACT_STORE: {{ required "config.artifactStore is required" .Values.config.artifactStore | quote }}
AIRLOCK_APPROVAL_TTL_HOURS: {{ .Values.config.approvalTtlHours | quote }}
{{- with .Values.config.awsRegion }}
AWS_REGION: {{ . | quote }}
{{- end }}
{{- with .Values.config.s3Endpoint }}
AWS_ENDPOINT_URL_S3: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Secret references (env entries): DATABASE_URL required, the others optional. */}}
{{- define "airlock.secretEnv" -}}
{{- $secret := required "secrets.existingSecret is required" .Values.secrets.existingSecret -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ required "secrets.databaseUrlKey is required" .Values.secrets.databaseUrlKey }}
{{- with .Values.secrets.bootstrapAdminKeyKey }}
- name: AIRLOCK_BOOTSTRAP_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- with .Values.secrets.s3AccessKeyIdKey }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- with .Values.secrets.s3SecretAccessKeyKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end -}}

{{/* Env entries from a NAME: value map, sorted by name: call with the map. */}}
{{- define "airlock.envMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "airlock.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "airlock.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Writable scratch space under a read-only root filesystem. */}}
{{- define "airlock.volumes" -}}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataVolumeSizeLimit }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "airlock.volumeMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Liveness and readiness probes on the container port named http: call with the app's probes block. */}}
{{- define "airlock.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  {{- toYaml .readiness | nindent 2 }}
{{- end -}}

{{/* Pod template annotations: a changed ConfigMap rolls the pods. */}}
{{- define "airlock.podAnnotations" -}}
checksum/config: {{ include "airlock.config" . | sha256sum }}
{{- end -}}

{{/* Scheduling and pull secrets of a pod: call with (dict "root" $ "app" .Values.api). */}}
{{- define "airlock.scheduling" -}}
{{- with .root.Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- with .app.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .app.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .app.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A PodDisruptionBudget spec's budget: call with the app's podDisruptionBudget block. */}}
{{- define "airlock.pdbBudget" -}}
{{- if and (ne (toString .minAvailable) "") (ne (toString .maxUnavailable) "") -}}
{{- fail "podDisruptionBudget: set only one of minAvailable and maxUnavailable" -}}
{{- else if ne (toString .minAvailable) "" -}}
minAvailable: {{ .minAvailable }}
{{- else if ne (toString .maxUnavailable) "" -}}
maxUnavailable: {{ .maxUnavailable }}
{{- else -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable" -}}
{{- end -}}
{{- end -}}
