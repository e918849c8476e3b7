# Image for rlk (used by examples/k8s/sweep-job.yaml): build with `docker build -t rlk .`
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Cli/rlk.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
COPY --from=build /app /app
COPY examples/sweeps /specs
RUN ln -s /app/rlk /usr/local/bin/rlk
ENTRYPOINT ["rlk"]
